"""The reports' cache, keyed by the data's version.

The version is the pair of change counters that database triggers keep (migrations 0006 and
0008): "content" counts changes of modules, quizzes and paths, "learning" every change of
people, teams, assignments, module progress, path certificates, attempts and submissions,
whoever made it. Reading it is
one look-up, so a repeated view of unchanged data costs that one statement, and any change
(a new attempt, a module read, a withdrawn assignment) shows in the next view.

Entries also expire after ``CACHE_SECONDS``, which bounds how long anything the counters do
not watch could stay hidden.
"""

from __future__ import annotations

import gc
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import select

from lms.extensions import db
from lms.models import ChangeCounter

CACHE_SECONDS = 600
CACHE_ENTRIES = 64
T = TypeVar("T")


@dataclass(frozen=True)
class DataVersion:
    content: int  # what the catalogue of modules and paths depends on
    learning: int  # people, teams, assignments, progress, attempts and submissions


def data_version() -> DataVersion:
    """The version now, in one statement (a missing counter reads as 0)."""
    counters = dict(db.session.execute(select(ChangeCounter.name, ChangeCounter.number)).all())
    return DataVersion(counters.get("content", 0), counters.get("learning", 0))


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
    """Forget every report, as after a change of learner data; the catalogue of modules and
    paths, which depends on content only, stays (the bench)."""
    report_cache().clear(keep=lambda key: isinstance(key, tuple) and key[0] == "catalogue")


def cache_key(kind: str, version: DataVersion, scope_key: Hashable, today: date,
              extra: Hashable = None) -> Hashable:
    return (kind, version, scope_key, today, extra)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a report builds its many small objects.

    They hold no reference cycles, and the collections that tens of thousands of new objects
    trigger midway walk the whole heap: about a tenth of an impact analysis for 10,000 people
    (bench/sales.py). Reference counting frees everything as usual; the collector resumes after.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
