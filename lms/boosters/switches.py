"""Which modules' questions come back as boosters, and how many a day.

A setting is stored per content item (``booster_settings``), org-wide: switched on for a
learning path, it covers every module of the path; a module's own setting, on or off, wins
over its paths'. Managers and admins change them (lms/manage/boosters.py). A person gets at
most the highest ``per_day`` among the switched-on modules they have cards for, 1 to 3.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import select

from lms.boosters.rows import add_or_get
from lms.content.documents import PathDoc
from lms.extensions import db
from lms.learning.catalog import current_doc, live_items
from lms.models import BoosterSetting, ContentItem, ContentKind, User, utcnow

MAX_PER_DAY = 3
DEFAULT_PER_DAY = 3


def effective(path_modules: Mapping[int, Sequence[int]],
              rows: Mapping[int, tuple[bool, int]]) -> dict[int, int]:
    """module id -> per day, for the modules with boosters on (pure).

    ``path_modules``: each live path's module ids; ``rows``: item id -> (enabled, per day)."""
    on: dict[int, int] = {}
    for path_id, modules in path_modules.items():
        enabled, per_day = rows.get(path_id, (False, 0))
        if enabled:
            for module_id in modules:
                on[module_id] = max(on.get(module_id, 0), per_day)
    for item_id, (enabled, per_day) in rows.items():
        if item_id in path_modules:
            continue
        if enabled:
            on[item_id] = per_day
        else:
            on.pop(item_id, None)
    return on


def settings_by_item() -> dict[int, BoosterSetting]:
    return {row.item_id: row for row in db.session.scalars(select(BoosterSetting))}


def path_modules() -> dict[int, list[int]]:
    modules = live_items(ContentKind.MODULE)
    out = {}
    for path in live_items(ContentKind.PATH).values():
        doc = current_doc(path)
        if isinstance(doc, PathDoc):
            out[path.id] = [modules[e.module].id for e in doc.modules if e.module in modules]
    return out


def switched_on(rows: dict[int, BoosterSetting] | None = None) -> dict[int, int]:
    """module id -> per day, for every module whose questions come back (one query)."""
    rows = settings_by_item() if rows is None else rows
    if not rows:
        return {}
    return effective(path_modules(), {i: (r.enabled, r.per_day) for i, r in rows.items()})


def save_setting(item: ContentItem, *, enabled: bool, per_day: int, by: User | None,
                 now: datetime | None = None) -> BoosterSetting:
    """Switch boosters on or off for a path or module; people who passed its quizzes before
    get their cards when it is switched on."""
    from lms.boosters.cards import backfill

    if item.kind not in (ContentKind.PATH.value, ContentKind.MODULE.value):
        raise ValueError("boosters are set for paths and modules")
    per_day = min(max(int(per_day), 1), MAX_PER_DAY)
    before = db.session.get(BoosterSetting, item.id)
    was_on = before is not None and before.enabled
    row = add_or_get(BoosterSetting, item.id,
                     lambda: BoosterSetting(item_id=item.id, enabled=enabled, per_day=per_day))
    row.enabled, row.per_day = enabled, per_day
    row.updated_by_id = by.id if by is not None else None
    db.session.flush()
    # Cards for people who passed before: when it is switched on, not at every save (the
    # backfill visits everyone who passed).
    if enabled and not was_on:
        backfill(now=now or utcnow())
    return row
