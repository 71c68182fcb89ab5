"""The training measure of the impact analysis, and the skill rating as an outcome.

The **training measure** is what stands for "how well trained" across people (the x of every
correlation); the reference day is always the day the training was completed. All are on a
0-100 scale, so the charts and "per 10 points" read alike:

* ``score`` (the default): the quiz result (``lms.analytics.impact_sql.training_score``);
* ``retention``: the share of the person's booster answers that were right over the last 60
  days (``lms.boosters.retention``), per module of the training; for a path the mean over its
  scored modules with a value;
* ``recall``: FSRS's predicted recall now, per module averaged over its booster cards; for a
  path the mean over its scored modules with cards;
* ``skill_rating`` (optionally ``skill_rating:SKILL_ID``): the mean of the person's coaching
  ratings up to the analysis date (of every skill, or of the one skill), each normalised to 0-1
  on the scale it was rated on: ``(rating − lowest) / (highest − lowest)``.

People without a value of the chosen measure are left out of the score figures, with the reason.

The **skill rating outcome** (``skill_rating`` among the measures) is the mean normalised rating
of the observations dated in a window, beside the ten sales measures; a window counts when it
has a rated observation (no minimum of closed deals: it is not a sales measure).

One statement per measure, whatever the number of people.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Float, cast, func, select

from lms.boosters.report import retention_of
from lms.boosters.retention import WINDOW_DAYS
from lms.errors import DomainError
from lms.extensions import db
from lms.i18n import _l
from lms.models import Observation, Rating
from lms.safeyaml import quote

SKILL = "skill_rating"

#: key -> (label, short label for a column or axis)
TRAINING_MEASURES: dict[str, tuple[Any, Any]] = {
    "score": (_l("Training score"), _l("Score")),
    "retention": (_l("Retention: booster answers right"), _l("Retention")),
    "recall": (_l("Retention: predicted recall"), _l("Recall")),
    SKILL: (_l("Skill rating"), _l("Skill rating")),
}
TRAINING_KEYS = tuple(TRAINING_MEASURES)

#: Why a trained person has no value of the training measure (lazy: read in each language).
NO_VALUE = {
    "score": _l("no quiz result for the training"),
    "retention": _l("no booster answers on the training's modules in the last %(days)d days",
                    days=WINDOW_DAYS),
    "recall": _l("no boosters on the training's modules"),
    SKILL: _l("no coaching rating"),
}
NO_SKILL_VALUE = _l("no coaching rating of this skill")


@dataclass(frozen=True)
class TrainingMeasure:
    key: str = "score"
    #: a skill's id in the rubrics, for ``skill_rating`` of one skill
    skill: str | None = None

    @property
    def text(self) -> str:
        """As written in a query string or on the command line."""
        return f"{self.key}:{self.skill}" if self.skill else self.key


def parse_training_measure(text: str | None) -> TrainingMeasure:
    """``score`` | ``retention`` | ``recall`` | ``skill_rating`` | ``skill_rating:SKILL_ID``
    (empty: ``score``); a DomainError that says what is allowed otherwise."""
    text = text or "score"
    key, sep, skill = text.partition(":")
    if key not in TRAINING_MEASURES or (sep and key != SKILL) or (sep and not skill):
        raise DomainError(_("Unknown training measure %(value)s: use score, retention, recall, "
                            "skill_rating or skill_rating:SKILL_ID.", value=quote(text)))
    return TrainingMeasure(key, skill or None)


# --- pure ---------------------------------------------------------------------------------------

def normalised(rating: float, low: float, high: float) -> float:
    """A rating on the 0-1 scale: the scale's lowest level 0, its highest 1."""
    return (rating - low) / (high - low)


def mean_of(values: Iterable[float | None]) -> float | None:
    """The mean of the values there are, as a percentage rounded to 2 decimals (None: none)."""
    present = [v for v in values if v is not None]
    return round(100 * sum(present) / len(present), 2) if present else None


# --- SQL (one statement each) ---------------------------------------------------------------------

def _norm() -> Any:
    return ((cast(Rating.rating, Float) - Observation.scale_low)
            / (Observation.scale_high - Observation.scale_low))


def skill_choices() -> dict[str, str]:
    """Every skill rated in an observation: id -> the name it was last rated under, by name.
    Empty when no observation has been recorded."""
    rows = db.session.execute(
        select(Rating.skill_id, Rating.skill_name, func.max(Rating.id))
        .group_by(Rating.skill_id, Rating.skill_name))
    latest: dict[str, tuple[int, str]] = {}
    for skill_id, name, newest in rows:
        if skill_id not in latest or newest > latest[skill_id][0]:
            latest[skill_id] = (newest, name)
    return dict(sorted(((k, v[1]) for k, v in latest.items()), key=lambda kv: kv[1].casefold()))


def load_skill_means(people: Any, skill: str | None, until: date) -> dict[int, float]:
    """Each person's mean normalised rating (0-1) over their observations up to ``until``."""
    query = (select(Observation.user_id, func.avg(_norm()))
             .join(Rating, Rating.observation_id == Observation.id)
             .join(people, people.c.user_id == Observation.user_id)
             .where(Observation.observed_on <= until)
             .group_by(Observation.user_id))
    if skill is not None:
        query = query.where(Rating.skill_id == skill)
    return {uid: float(value) for uid, value in db.session.execute(query)}


def load_retention_values(people: Any, module_ids: list[int], key: str,
                          now: datetime) -> dict[int, float | None]:
    """Each person's retention (0-100) on the modules: ``retention`` the share answered right,
    ``recall`` the predicted recall; the mean over the modules with a value."""
    out = {}
    for user_id, modules in retention_of(people, module_ids, now=now).items():
        values = [r.correct_share if key == "retention" else r.recall
                  for r in modules.values()]
        out[user_id] = mean_of(values)
    return out


def load_skill_windows(windows: Any) -> dict[tuple[int, str], tuple[float, int]]:
    """(user id, period) -> (mean normalised rating rounded to 4 decimals, observations) of the
    observations dated in each window [start, end)."""
    rows = db.session.execute(
        select(windows.c.user_id, windows.c.period, func.avg(_norm()),
               func.count(func.distinct(Observation.id)))
        .join(Observation, Observation.user_id == windows.c.user_id)
        .join(Rating, Rating.observation_id == Observation.id)
        .where(Observation.observed_on >= windows.c.start,
               Observation.observed_on < windows.c.end)
        .group_by(windows.c.user_id, windows.c.period))
    return {(uid, period): (round(float(mean), 4), int(n)) for uid, period, mean, n in rows}
