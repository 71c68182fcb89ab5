"""The reports' cache, keyed by the data's version.

``data_version`` reads, in one statement, maximum ids (index look-ups) and counts and sums over
the small tables: new attempts, submissions, assignments, progress rows and content versions
raise a maximum id; withdrawals, changed due dates, new people and people moving team change a
count or a sum. Those changes show at once.

Module progress rows are also *updated* in place (a module read, a module without a quiz
completed), and seeing that needs a scan of the table, about 30 ms for 10,000 people. That
part is read again when the rest of the version changed, or when it is older than
``PROGRESS_RECHECK_SECONDS``: a repeated view of unchanged data costs the one cheap statement,
and a module read shows in the report within a few seconds.

Entries also expire after ``CACHE_SECONDS``, which bounds how long a change no count can see
(a person renamed to a name of the same length) stays hidden.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import Integer, Select, case, func, literal_column, select, type_coerce

from lms.extensions import db
from lms.models import (
    Assignment,
    Attempt,
    ContentItem,
    ContentVersion,
    ModuleProgress,
    Submission,
    Team,
    User,
)

CACHE_SECONDS = 600
CACHE_ENTRIES = 64
PROGRESS_RECHECK_SECONDS = 5.0
T = TypeVar("T")


@dataclass(frozen=True)
class DataVersion:
    content: tuple  # what the catalogue of modules and paths depends on
    learning: tuple  # people, teams, assignments, new progress rows, attempts
    progress: tuple  # updates of module progress rows (read at most every few seconds)


def _day_sum(col):  # noqa: ANN001, ANN202
    """A sum that changes when a due date changes (dates are text on SQLite)."""
    if db.engine.dialect.name == "sqlite":
        return func.sum(func.julianday(col))
    return func.sum(type_coerce(col - literal_column("DATE '2000-01-01'"), Integer))


def _quick_version() -> tuple:
    mp, a, u = ModuleProgress, Assignment, User

    def sub(*cols):  # noqa: ANN002, ANN202
        return select(*cols).scalar_subquery()

    return tuple(db.session.execute(select(
        sub(func.max(ContentVersion.id)), sub(func.sum(ContentItem.current_version_id)),
        sub(func.count(ContentItem.retired_at)),
        sub(func.max(Submission.id)), sub(func.max(Attempt.id)), sub(func.max(mp.id)),
        sub(func.max(a.id)), sub(func.count(a.withdrawn_at)), sub(_day_sum(a.due_date)),
        sub(func.count(u.id)), sub(func.max(u.id)), sub(func.sum(u.team_id)),
        sub(func.sum(u.manager_id)),
        sub(func.sum(case((u.active.is_(True), u.id), else_=0))),
        sub(func.sum(func.length(u.name) + func.length(u.role))),
        sub(func.count(Team.id)), sub(func.sum(Team.parent_id)),
        sub(func.sum(func.length(Team.name))),
    )).one())


def _progress_version(people: Select | None) -> tuple:
    mp = ModuleProgress
    stmt = select(func.count(mp.completed_at), func.max(mp.last_opened_at))
    if people is not None:
        stmt = stmt.where(mp.user_id.in_(people))
    return tuple(db.session.execute(stmt).one())


@dataclass
class _ProgressCheck:
    at: float
    quick: tuple
    progress: tuple


def data_version(scope_key: Hashable = None, people: Select | None = None) -> DataVersion:
    """The version now: one statement, two when the progress part is due for a re-read.

    ``people`` (a SELECT of user ids) limits the progress part to a report's people, so a
    team's version reads that team's rows only; ``scope_key`` names that set.
    """
    quick = _quick_version()
    now = time.monotonic()
    checks: dict[Hashable, _ProgressCheck] = current_app.extensions.setdefault(
        "readiness_progress_check", {})
    last = checks.get(scope_key)
    if last is None or last.quick != quick or now - last.at >= PROGRESS_RECHECK_SECONDS:
        last = checks[scope_key] = _ProgressCheck(now, quick, _progress_version(people))
        if len(checks) > CACHE_ENTRIES:
            checks.pop(next(iter(checks)))
    return DataVersion(quick[:3], quick[3:], last.progress)


class ReportCache:
    """A small LRU of computed reports, one per application."""

    def __init__(self, size: int = CACHE_ENTRIES, seconds: float = CACHE_SECONDS) -> None:
        self.size, self.seconds = size, seconds
        self._items: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_make(self, key: Hashable, make: Callable[[], T]) -> T:
        now = time.monotonic()
        with self._lock:
            hit = self._items.get(key)
            if hit is not None and now - hit[0] < self.seconds:
                self._items.move_to_end(key)
                return hit[1]
        value = make()
        with self._lock:
            self._items[key] = (now, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self, keep: Callable[[Hashable], bool] | None = None) -> None:
        with self._lock:
            for key in list(self._items):
                if keep is None or not keep(key):
                    del self._items[key]


def report_cache() -> ReportCache:
    """The application's cache (tests get a fresh one with each app)."""
    return current_app.extensions.setdefault("readiness_cache", ReportCache())


def forget_learning_data() -> None:
    """Forget every report and the version's memory, as after a change of learner data; the
    catalogue of modules and paths, which depends on content only, stays (the bench)."""
    report_cache().clear(keep=lambda key: isinstance(key, tuple) and key[0] == "catalogue")
    current_app.extensions.pop("readiness_progress_check", None)


def cache_key(kind: str, version: DataVersion, scope_key: Hashable, today: date,
              extra: Hashable = None) -> Hashable:
    return (kind, version, scope_key, today, extra)
