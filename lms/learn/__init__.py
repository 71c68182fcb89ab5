"""The new hire's side: dashboard, modules, quizzes, goals."""
