"""Learning records as xAPI 1.0.3 statements: deriving them from what the app keeps
(derive.py, built by the pure statements.py), checking them (validate.py), and delivering them to
a learning record store through a durable outbox (outbox.py, lrs.py). See docs/api.md and
docs/operations.md ("xAPI")."""
