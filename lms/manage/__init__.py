"""The manager's side: teams, people, assignments and reports."""
