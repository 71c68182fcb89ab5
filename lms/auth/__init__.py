"""Logging in and out, the account page and the password rules everyone meets."""
