"""Rate-limit counters in the site's own database: the ``database://`` storage of ``limits``.

Flask-Limiter's default, ``memory://``, counts in each worker process, so gunicorn with four
workers lets four times the login limit through. This storage keeps the counters in the
``rate_limits`` table of the site's database, which every worker (and every server, on
PostgreSQL) shares; it needs no extra server. Each call is one short transaction of its own,
apart from the request's. It supports the fixed-window strategy, Flask-Limiter's default.

Defining the class registers the scheme with ``limits`` (its storage classes register
themselves by ``STORAGE_SCHEME``); ``lms.extensions`` imports this module for that.
"""

from __future__ import annotations

import hashlib
import time

from flask import current_app
from limits.storage import Storage
from sqlalchemy import case, delete, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from lms.models.management import RateLimitCounter

COUNTERS = RateLimitCounter.__table__
#: Expired counters are swept out at most this often (seconds) per process.
SWEEP_EVERY = 600


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _engine() -> Engine:
    # The engine of the app handling the request: the one Limiter serves every app it is
    # bound to, and each app counts in its own database.
    return current_app.extensions["sqlalchemy"].engine


class DatabaseStorage(Storage):
    """Fixed-window counters in the ``rate_limits`` table (SQLite or PostgreSQL)."""

    STORAGE_SCHEME = ["database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False,
                 **options: float | str | bool) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._next_sweep = 0.0

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        engine = _engine()
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_EVERY
            with engine.begin() as conn:
                conn.execute(delete(COUNTERS).where(COUNTERS.c.expires_at <= now))
        dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
        expired = COUNTERS.c.expires_at <= now
        # One atomic statement: concurrent workers never lose a count. A window that has
        # ended starts again at this hit.
        upsert = dialect.insert(COUNTERS).values(
            key_hash=_hash(key), count=amount, expires_at=now + expiry,
        ).on_conflict_do_update(
            index_elements=[COUNTERS.c.key_hash],
            set_={"count": case((expired, amount), else_=COUNTERS.c.count + amount),
                  "expires_at": case((expired, now + expiry), else_=COUNTERS.c.expires_at)},
        ).returning(COUNTERS.c.count)
        with engine.begin() as conn:
            return int(conn.execute(upsert).scalar_one())

    def _live(self, key: str, column):  # noqa: ANN001, ANN202 - a column of COUNTERS
        with _engine().connect() as conn:
            return conn.scalar(select(column).where(COUNTERS.c.key_hash == _hash(key),
                                                    COUNTERS.c.expires_at > time.time()))

    def get(self, key: str) -> int:
        return int(self._live(key, COUNTERS.c.count) or 0)

    def get_expiry(self, key: str) -> float:
        expires_at = self._live(key, COUNTERS.c.expires_at)
        return float(expires_at) if expires_at is not None else time.time()

    def check(self) -> bool:
        with _engine().connect() as conn:
            return conn.scalar(text("SELECT 1")) == 1

    def reset(self) -> int | None:
        with _engine().begin() as conn:
            return conn.execute(delete(COUNTERS)).rowcount

    def clear(self, key: str) -> None:
        with _engine().begin() as conn:
            conn.execute(delete(COUNTERS).where(COUNTERS.c.key_hash == _hash(key)))
