"""A person's skill ratings over time, for the readiness drill-down: a table per skill by
observation, and a small SVG line per skill. Two queries, whatever the number of observations;
the shaping and the drawing are pure functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import select

from lms.analytics.charts import BRAND, LINE, MUTED, svg_open
from lms.coaching.rubrics import rubric_view
from lms.extensions import db
from lms.i18n import format_date
from lms.models import Observation, Rating, RubricVersion


@dataclass(frozen=True)
class RatingRow:
    """One rating as read from the database."""

    observation_id: int
    observed_on: date
    skill_id: str
    skill_name: str
    position: int
    rating: int
    scale_low: int
    scale_high: int
    rubric_version_id: int


@dataclass(frozen=True)
class SkillLine:
    skill_id: str
    name: str
    #: one cell per column of the history: the rating, or None when not rated that time
    ratings: tuple[int | None, ...]
    low: int
    high: int

    @property
    def points(self) -> list[tuple[int, int]]:
        """(column, rating) of the rated columns."""
        return [(i, r) for i, r in enumerate(self.ratings) if r is not None]

    @property
    def latest(self) -> int | None:
        return next((r for r in reversed(self.ratings) if r is not None), None)


@dataclass(frozen=True)
class SkillHistory:
    #: the observations, oldest first: (observation id, day)
    columns: tuple[tuple[int, date], ...]
    skills: tuple[SkillLine, ...]

    def __bool__(self) -> bool:
        return bool(self.skills)


def rating_rows(user_id: int) -> list[RatingRow]:
    rows = db.session.execute(
        select(Observation.id, Observation.observed_on, Rating.skill_id, Rating.skill_name,
               Rating.position, Rating.rating, Observation.scale_low, Observation.scale_high,
               Observation.rubric_version_id)
        .join(Rating, Rating.observation_id == Observation.id)
        .where(Observation.user_id == user_id)
        .order_by(Observation.observed_on, Observation.id, Rating.position))
    return [RatingRow(*row) for row in rows]


def build_history(rows: list[RatingRow], names: dict[str, str] | None = None) -> SkillHistory:
    """Shape the ratings into one line per skill over the observations (oldest first). Skills
    keep the order of the newest rubric they were rated on; ``names`` (skill id -> name in the
    reader's language) overrides the names stored with the ratings."""
    columns: list[tuple[int, date]] = []
    seen: set[int] = set()
    for row in rows:
        if row.observation_id not in seen:
            seen.add(row.observation_id)
            columns.append((row.observation_id, row.observed_on))
    index = {obs: i for i, (obs, _day) in enumerate(columns)}
    cells: dict[str, list[int | None]] = {}
    latest: dict[str, RatingRow] = {}
    for row in rows:
        cells.setdefault(row.skill_id, [None] * len(columns))[index[row.observation_id]] = \
            row.rating
        latest[row.skill_id] = row
    names = names or {}
    order = sorted(latest, key=lambda s: (latest[s].position, s))
    return SkillHistory(tuple(columns), tuple(
        SkillLine(s, names.get(s) or latest[s].skill_name, tuple(cells[s]),
                  latest[s].scale_low, latest[s].scale_high) for s in order))


def skill_history(user_id: int) -> SkillHistory:
    """The person's ratings, skill names in the reader's language where the rubric has them."""
    rows = rating_rows(user_id)
    version_ids = {r.rubric_version_id for r in rows}
    names: dict[str, str] = {}
    if version_ids:
        versions = db.session.scalars(select(RubricVersion).where(
            RubricVersion.id.in_(sorted(version_ids))).order_by(RubricVersion.id))
        for version in versions:  # newer versions' names win
            names.update({s.id: s.name for s in rubric_view(version).skills})
    return build_history(rows, names)


def sparkline(line: SkillLine, days: tuple[tuple[int, date], ...], chart_id: str,
              width: int = 220, height: int = 56) -> Markup:
    """A small line of one skill's ratings over the observations, its scale as the y axis."""
    pad_x, pad_y = 8, 8
    span = max(line.high - line.low, 1)
    step = (width - 2 * pad_x) / max(len(days) - 1, 1)

    def xy(column: int, rating: int) -> tuple[float, float]:
        return (pad_x + column * step,
                height - pad_y - (rating - line.low) / span * (height - 2 * pad_y))

    points = line.points
    desc = ", ".join(_("%(day)s: %(rating)d", day=format_date(days[c][1]), rating=r)
                     for c, r in points)
    parts = svg_open(chart_id, _("%(skill)s over time, on a scale of %(low)d to %(high)d",
                                 skill=line.name, low=line.low, high=line.high),
                     desc, width, height, "chart chart--spark")
    for level in (line.low, line.high):
        y = xy(0, level)[1]
        parts.append(f'<line x1="{pad_x}" x2="{width - pad_x}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="{LINE}" stroke-width="1"/>')
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(c, r) for c, r in points))
        parts.append(f'<polyline points="{path}" fill="none" stroke="{BRAND}" '
                     f'stroke-width="2"/>')
    for c, r in points:
        x, y = xy(c, r)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{BRAND}" '
                     f'stroke="{MUTED}" stroke-width="0.5"><title>{escape(str(r))}</title>'
                     f'</circle>')
    parts.append("</svg>")
    return Markup("".join(parts))
