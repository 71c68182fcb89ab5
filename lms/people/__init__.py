"""Accounts and teams: the services behind the admin pages, the CSV import and the demo."""
