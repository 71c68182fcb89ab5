"""One row per person or item, added once even when two requests add it at the same moment
(a double click on Save): the second takes the row the first added."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError

from lms.extensions import db

T = TypeVar("T")


def add_or_get(model: type[T], key: Any, make: Callable[[], T]) -> T:
    """The ``model`` row with primary key ``key``; added with ``make()`` when there is none."""
    row = db.session.get(model, key)
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            row = make()
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        # Added by another request since we looked: take theirs.
        row = db.session.get(model, key, populate_existing=True)
        assert row is not None
    return row
