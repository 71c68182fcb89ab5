"""Coaching: rubrics, observations managers record, and the skill ratings over time."""
