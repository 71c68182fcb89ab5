"""Retention figures read from the database: per person and module, for one person (the
dashboard, the drill-down) or for everyone in a scope (the readiness report, the command).

One statement each, whatever the number of people: every live card with its answers of the
last 60 days counted in SQL; the forgetting curve is applied in Python
(lms.boosters.retention), as SQLite has no power function.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import Integer, and_, case, func, select

from lms.boosters.retention import Retention, combine, retention, window_start
from lms.extensions import db
from lms.learning.catalog import live_items, shown_title
from lms.models import BoosterCard, BoosterReview, ContentItem, ContentKind, User, utcnow
from lms.security import Scope, scope_condition


def threshold() -> float:
    return float(current_app.config.get("RETENTION_AT_RISK", 0.7))


def _rows(where, now: datetime):  # noqa: ANN001, ANN202
    since = window_start(now)
    # The answers of the chosen cards only: counting everyone's for one person's dashboard
    # took most of the page's time.
    answers = (select(BoosterReview.card_id, func.count().label("answered"),
                      func.sum(case((BoosterReview.correct, 1), else_=0)).label("correct"))
               .join(BoosterCard, BoosterCard.id == BoosterReview.card_id)
               .where(BoosterReview.answered_at >= since, BoosterCard.retired_at.is_(None),
                      where)
               .group_by(BoosterReview.card_id).subquery("answers"))
    return db.session.execute(
        select(BoosterCard.user_id, BoosterCard.module_id, BoosterCard.stability,
               BoosterCard.last_review_at,
               func.coalesce(answers.c.answered, 0).cast(Integer),
               func.coalesce(answers.c.correct, 0).cast(Integer))
        .outerjoin(answers, answers.c.card_id == BoosterCard.id)
        .where(BoosterCard.retired_at.is_(None), where))


def _group(rows, now: datetime) -> dict[int, dict[int, Retention]]:  # noqa: ANN001
    """user id -> module id -> retention."""
    cards: dict[tuple[int, int], list] = defaultdict(list)
    counts: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for user_id, module_id, stability, last_review, answered, correct in rows:
        cards[user_id, module_id].append((stability, last_review))
        counts[user_id, module_id][0] += answered
        counts[user_id, module_id][1] += correct
    out: dict[int, dict[int, Retention]] = defaultdict(dict)
    for (user_id, module_id), figures in cards.items():
        answered, correct = counts[user_id, module_id]
        out[user_id][module_id] = retention(figures, answered, correct, now)
    return out


def retention_in_scope(scope: Scope, *, now: datetime | None = None
                       ) -> dict[int, dict[int, Retention]]:
    """Everyone in the scope (active salespeople): user id -> module id -> retention."""
    now = now or utcnow()
    people = select(User.id).where(User.active.is_(True), scope_condition(scope))
    return _group(_rows(BoosterCard.user_id.in_(people), now), now)


def retention_of(people, module_ids: list[int], *,  # noqa: ANN001
                 now: datetime) -> dict[int, dict[int, Retention]]:
    """The people of ``people`` (a select or CTE of user ids; people who left included) on the
    given modules, in one statement: user id -> module id -> retention (the impact analysis)."""
    if not module_ids:
        return {}
    where = and_(BoosterCard.user_id.in_(select(people.c.user_id)),
                 BoosterCard.module_id.in_(module_ids))
    return _group(_rows(where, now), now)


@dataclass(frozen=True)
class ModuleRetention:
    module: ContentItem
    title: str
    figures: Retention
    at_risk: bool


def person_retention(user_id: int, *, now: datetime | None = None) -> list[ModuleRetention]:
    """One person's retention per live module, by title."""
    now = now or utcnow()
    mine = _group(_rows(and_(BoosterCard.user_id == user_id), now), now).get(user_id, {})
    if not mine:
        return []
    modules = {m.id: m for m in live_items(ContentKind.MODULE).values()}
    limit = threshold()
    out = [ModuleRetention(modules[mid], shown_title(modules[mid]), figures,
                           figures.at_risk(limit))
           for mid, figures in mine.items() if mid in modules]
    return sorted(out, key=lambda r: r.title.lower())


def overall(per_module: dict[int, Retention]) -> Retention | None:
    return combine(per_module.values())
