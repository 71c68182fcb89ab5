"""Spaced boosters: passed quiz questions brought back at intervals FSRS chooses, and the
retention figures worked out from the answers (see README, "Boosters and retention")."""
