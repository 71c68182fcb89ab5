"""Who the learners of a load run are: shared by the set-up and the locust process, which must
not import the app (locust's gevent monkey-patching comes first there)."""

from __future__ import annotations

PASSWORD = "load-test-learner"


def learner_email(number: int) -> str:
    return f"learner{number:03d}@load.test"


def learner_address(number: int) -> str:
    """Each learner's own client address, sent as X-Forwarded-For: the login rate limit counts
    per address and per account, as it does for real learners behind the reverse proxy."""
    return f"10.{number // 250 % 250}.{number % 250}.{1 + number // 62500}"
