"""Question statistics per quiz version, as Moodle's quiz statistics report defines them.

Which attempts count: every graded attempt of the quiz version, retakes included (Moodle's
default is first attempts only; here a person's second and third tries count as attempts of
their own, so a question's figures also reflect the people who needed a retake). Attempts of
other versions never mix in: a question's wording and options can change between versions.

* Facility index: the mean score fraction on the question, ``points / max_points``, over the
  attempts in which it was drawn. 0.0 means nobody scored, 1.0 means everyone scored in full.
* Discrimination index: the Pearson correlation between the points on this question and the
  points on the *rest* of the attempt (total minus this question), which Moodle shows as a
  percentage. Near +1 (+100%): the people who do well on the rest of the quiz are the ones who
  get this question right. Near 0 or negative: the question does not separate strong from weak
  learners, or the answer key may be wrong. Undefined (None) with fewer than two attempts, or
  when the question's points or the rest's points are the same in every attempt.

Pure functions over plain rows; the page fetches the rows with one SQL query.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask import has_app_context
from flask_babel import gettext as _

from lms.i18n import format_percent

#: Below this facility a question is "very hard", above FACILITY_HIGH "very easy".
FACILITY_LOW = 0.2
FACILITY_HIGH = 0.95
#: Below this discrimination index (as a fraction: 0.2 is Moodle's 20%) a question is weak.
DISCRIMINATION_LOW = 0.2


@dataclass(frozen=True)
class QuestionResult:
    """One question in one graded attempt."""

    attempt_id: int
    question_id: str
    points: float
    max_points: float


@dataclass(frozen=True)
class ItemStats:
    question_id: str
    #: Graded attempts in which the question was drawn.
    n: int
    #: 0..1; None without attempts.
    facility: float | None
    #: -1..1 (shown ×100 as a percentage); None when it cannot be worked out.
    discrimination: float | None
    #: Plain-words reasons to look at the question again; empty when it looks fine.
    reasons: tuple[str, ...] = ()

    @property
    def needs_review(self) -> bool:
        return bool(self.reasons)


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's correlation coefficient; None with fewer than two pairs or no spread."""
    if len(xs) != len(ys):
        raise ValueError("xs and ys must have the same length")
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    # A spread this small is rounding noise in the points, not a real difference.
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def _percent(fraction: float) -> str:
    """A fraction as a whole percentage in the language being spoken ("19%"); plainly written
    outside an application (the unit tests)."""
    return format_percent(fraction, fraction=True) if has_app_context() else f"{fraction:.0%}"


def review_reasons(facility: float | None, discrimination: float | None) -> tuple[str, ...]:
    """Why a question needs another look, in words a trainer can act on (in the language being
    spoken)."""
    reasons = []
    if facility is not None and facility < FACILITY_LOW:
        reasons.append(_("Very hard: only %(percent)s of its points are scored. Check the "
                         "answer key, and whether the module teaches this.",
                         percent=_percent(facility)))
    if facility is not None and facility > FACILITY_HIGH:
        reasons.append(_("Very easy: %(percent)s of its points are scored, so it hardly "
                         "tells who knows the material.", percent=_percent(facility)))
    if discrimination is not None and discrimination < 0:
        reasons.append(_("Negative discrimination: people who do well on the rest of the quiz "
                         "do worse on this question. The answer key or the wording may be "
                         "wrong."))
    elif discrimination is not None and discrimination < DISCRIMINATION_LOW:
        reasons.append(_("Weak discrimination (%(percent)s): strong and weak learners "
                         "score about the same on it. Make the wrong options more plausible or "
                         "the question more precise.", percent=_percent(discrimination)))
    return tuple(reasons)


def item_statistics(results: Iterable[QuestionResult]) -> dict[str, ItemStats]:
    """Facility and discrimination of every question seen in ``results`` (the graded attempts
    of one quiz version), by question id."""
    by_attempt: dict[int, list[QuestionResult]] = defaultdict(list)
    for row in results:
        by_attempt[row.attempt_id].append(row)
    totals = {aid: sum(r.points for r in rows) for aid, rows in by_attempt.items()}

    own: dict[str, list[float]] = defaultdict(list)
    rest: dict[str, list[float]] = defaultdict(list)
    fractions: dict[str, list[float]] = defaultdict(list)
    for aid, rows in by_attempt.items():
        for row in rows:
            own[row.question_id].append(row.points)
            rest[row.question_id].append(totals[aid] - row.points)
            if row.max_points > 0:
                fractions[row.question_id].append(row.points / row.max_points)

    stats = {}
    for qid in own:
        facility = mean(fractions[qid])
        discrimination = pearson(own[qid], rest[qid])
        stats[qid] = ItemStats(qid, len(own[qid]), facility, discrimination,
                               review_reasons(facility, discrimination))
    return stats
