"""Learners' reactions as trainers see them: averages per question, per module or path and per
version, and the comments; never who answered.

The small-group rule: a group's figures (a module's, a version's) are shown only when at least
``MIN_ANSWERS`` people answered in it. A version below the threshold is counted in the module's
total only. Showing the total beside every other version would let anyone subtract: when the
versions held back hold fewer than ``MIN_ANSWERS`` answers together, the smallest shown
versions are held back too, until what is held back is empty or big enough. Comments appear only
once the total is shown, shuffled and without date or person, labelled with their version only
where that version's figures are shown.

``summarise`` is a pure function over per-version tallies (counts and score sums, as one SQL
GROUP BY gives them); ``item_results`` and ``overview`` fetch those with a fixed few queries.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from lms.extensions import db
from lms.models import ContentItem, ContentKind, ContentVersion, Reaction

#: The fewest answers whose averages are shown (for a module, a path or one version).
MIN_ANSWERS = 5
#: The questions, in the order they are asked and shown.
QUESTIONS = ("useful", "clear", "recommend")


@dataclass(frozen=True)
class Tally:
    """The answers of one group: how many, and the sum of each question's scores."""

    count: int
    useful: int
    clear: int
    recommend: int

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.count + other.count, self.useful + other.useful,
                     self.clear + other.clear, self.recommend + other.recommend)


NO_ANSWERS = Tally(0, 0, 0, 0)


@dataclass(frozen=True)
class Averages:
    count: int
    useful: float
    clear: float
    recommend: float

    @classmethod
    def of(cls, tally: Tally) -> Averages:
        return cls(tally.count, tally.useful / tally.count, tally.clear / tally.count,
                   tally.recommend / tally.count)

    def score(self, question: str) -> float:
        return getattr(self, question)


@dataclass(frozen=True)
class VersionResult:
    number: int
    count: int
    #: None when held back: too few answers, or held back so that others cannot be derived.
    averages: Averages | None


@dataclass(frozen=True)
class Comment:
    text: str
    #: The version it was given on; None when that version's figures are held back.
    version: int | None


@dataclass(frozen=True)
class Results:
    count: int
    minimum: int
    #: The whole item's averages; None below the threshold.
    total: Averages | None
    #: Every version with answers, newest first.
    versions: list[VersionResult] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)

    @property
    def shown(self) -> bool:
        return self.total is not None

    @property
    def held_back(self) -> list[VersionResult]:
        return [v for v in self.versions if v.averages is None]


def shown_versions(counts: Mapping[int, int], minimum: int = MIN_ANSWERS) -> set[int]:
    """The versions whose figures may be shown beside the total: each has ``minimum`` answers,
    and the answers held back add up to none or at least ``minimum``."""
    shown = {number for number, count in counts.items() if count >= minimum}
    held = sum(counts.values()) - sum(counts[n] for n in shown)
    # Smallest first (the oldest of equals): hold back as few answers as it takes.
    for number in sorted(shown, key=lambda n: (counts[n], n)):
        if held == 0 or held >= minimum:
            break
        shown.discard(number)
        held += counts[number]
    return shown


def summarise(tallies: Mapping[int, Tally], comments: Iterable[tuple[int, str]] = (), *,
              minimum: int = MIN_ANSWERS, rng: random.Random | None = None) -> Results:
    """``tallies``: answers by version number; ``comments``: (version number, text)."""
    tallies = {number: tally for number, tally in tallies.items() if tally.count > 0}
    total = sum(tallies.values(), NO_ANSWERS)
    if total.count < minimum:
        return Results(total.count, minimum, None,
                       [VersionResult(n, tallies[n].count, None)
                        for n in sorted(tallies, reverse=True)])
    shown = shown_versions({n: t.count for n, t in tallies.items()}, minimum)
    versions = [VersionResult(n, tallies[n].count,
                              Averages.of(tallies[n]) if n in shown else None)
                for n in sorted(tallies, reverse=True)]
    said = [Comment(text.strip(), number if number in shown else None)
            for number, text in comments if text and text.strip()]
    # Random order: the order they were given in would tell who wrote which.
    (rng or random.Random()).shuffle(said)
    return Results(total.count, minimum, Averages.of(total), versions, said)


# Fetching ---------------------------------------------------------------------------------------

def _tallies(item_ids: Sequence[int] | None = None) -> dict[int, dict[int, Tally]]:
    """Answered reactions by item id and version number: one query."""
    query = (select(Reaction.item_id, ContentVersion.number, func.count(),
                    func.sum(Reaction.useful), func.sum(Reaction.clear),
                    func.sum(Reaction.recommend))
             .join(ContentVersion, ContentVersion.id == Reaction.version_id)
             .where(Reaction.useful.is_not(None))
             .group_by(Reaction.item_id, ContentVersion.number))
    if item_ids is not None:
        query = query.where(Reaction.item_id.in_(item_ids))
    out: dict[int, dict[int, Tally]] = {}
    for item_id, number, count, useful, clear, recommend in db.session.execute(query):
        out.setdefault(item_id, {})[number] = Tally(count, int(useful), int(clear),
                                                    int(recommend))
    return out


def item_results(item: ContentItem, *, minimum: int = MIN_ANSWERS) -> Results:
    """One module's or path's results: two queries, whatever the number of answers."""
    tallies = _tallies([item.id]).get(item.id, {})
    comments: list[tuple[int, str]] = []
    if sum(t.count for t in tallies.values()) >= minimum:
        comments = [(number, text) for number, text in db.session.execute(
            select(ContentVersion.number, Reaction.comment)
            .join(ContentVersion, ContentVersion.id == Reaction.version_id)
            .where(Reaction.item_id == item.id, Reaction.useful.is_not(None),
                   Reaction.comment != "")
            .order_by(Reaction.id))]
    return summarise(tallies, comments, minimum=minimum)


@dataclass(frozen=True)
class OverviewRow:
    item: ContentItem
    results: Results


def overview(*, minimum: int = MIN_ANSWERS) -> dict[ContentKind, list[OverviewRow]]:
    """Every module and path that is live or has answers, with its totals (no comments):
    two queries."""
    tallies = _tallies()
    items = db.session.scalars(
        select(ContentItem).where(ContentItem.kind.in_([ContentKind.MODULE.value,
                                                        ContentKind.PATH.value]))
        .join(ContentItem.current_version).options(
            contains_eager(ContentItem.current_version)))
    out: dict[ContentKind, list[OverviewRow]] = {ContentKind.MODULE: [], ContentKind.PATH: []}
    for item in items:
        if item.retired_at is not None and item.id not in tallies:
            continue
        out[item.kind_enum].append(OverviewRow(item, summarise(tallies.get(item.id, {}),
                                                               minimum=minimum)))
    for rows in out.values():
        rows.sort(key=lambda row: row.item.current_version.title.casefold())
    return out
