"""The trainer's content tools."""
