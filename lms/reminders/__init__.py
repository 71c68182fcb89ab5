"""Reminder mails: learners before a due date and when overdue, managers a daily digest of
their teams' overdue training (``lms reminders send``, meant for cron)."""
