"""Attempt rules of a quiz (docs/authoring.md, "settings"), as pure functions over plain values.

Percentages are 0-100. Datetimes are timezone-aware UTC; the functions never read the clock, the
caller passes ``now``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from babel import dates as babel_dates
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from lms.safeyaml import quote

#: A submission this many seconds after the time limit still counts: it covers the trip from the
#: browser that submitted when the timer reached zero.
GRACE_SECONDS = 30


@dataclass(frozen=True)
class StartDecision:
    """Whether a learner may start a new attempt, and if not, why and from when."""

    allowed: bool
    reason: str | None = None
    #: when a cooldown ends; None when waiting will not help (or nothing blocks)
    retry_at: datetime | None = None


def percent(points: float, max_points: float) -> float:
    """``points`` as a percentage of ``max_points``, to 4 decimals; 0 when there is no maximum."""
    if max_points <= 0:
        return 0.0
    # Multiply first and round: 2.1 of 3 points must be exactly 70 %, not 70.00000000000001.
    return round(points * 100 / max_points, 4)


def passed(percent: float, pass_mark: float) -> bool:
    """Passing means reaching the pass mark: 70 % passes a pass mark of 70."""
    return percent >= pass_mark


def module_result(attempt_percents_in_order: list[float], method: str) -> float | None:
    """The percentage that counts under the grading method; None before any graded attempt.

    highest: the best attempt; last / first: by finishing order; average: the mean of all.
    Passing under the grading method is ``passed(module_result(...), pass_mark)``.
    """
    scores = list(attempt_percents_in_order)
    if method not in ("highest", "last", "first", "average"):
        raise ValueError(f"unknown grading method {quote(method)}")
    if not scores:
        return None
    if method == "highest":
        return max(scores)
    if method == "last":
        return scores[-1]
    if method == "first":
        return scores[0]
    return round(sum(scores) / len(scores), 4)


def attempts_left(max_attempts: int | None, used: int) -> int | None:
    """How many attempts remain (never below 0); None when attempts are unlimited."""
    if max_attempts is None:
        return None
    return max(0, max_attempts - used)


def next_attempt_at(last_finished_at: datetime | None, cooldown_minutes: int) -> datetime | None:
    """When the cooldown after the last attempt ends; None when there is nothing to wait for."""
    if last_finished_at is None or cooldown_minutes <= 0:
        return None
    return last_finished_at + timedelta(minutes=cooldown_minutes)


def can_start(now: datetime, *, max_attempts: int | None, used: int,
              last_finished_at: datetime | None, cooldown_minutes: int, passed_already: bool,
              has_open_attempt: bool) -> StartDecision:
    """May the learner start a new attempt now?

    Checked in this order, so the reason given is the one that matters most: an attempt still
    open (continue it instead), the quiz already passed (a retake could only lower a "last" or
    "average" result, and the pass is what the learning path needs), no attempts left, and the
    cooldown. The cooldown ends at exactly ``last_finished_at + cooldown``: from then on starting
    is allowed.
    """
    if has_open_attempt:
        return StartDecision(False, _("You have an attempt in progress: continue that one."))
    if passed_already:
        return StartDecision(False, _("You have already passed this quiz."))
    if attempts_left(max_attempts, used) == 0:
        return StartDecision(False, _("You have used your only attempt.") if max_attempts == 1
                             else _("You have used all %(num)d attempts.", num=max_attempts or 0))
    retry_at = next_attempt_at(last_finished_at, cooldown_minutes)
    if retry_at is not None and now < retry_at:
        return StartDecision(False, ngettext(
            "You can try again at %(when)s (cooldown of %(num)d minute).",
            "You can try again at %(when)s (cooldown of %(num)d minutes).",
            cooldown_minutes, when=_when(retry_at, now)), retry_at)
    return StartDecision(True)


def deadline(started_at: datetime, time_limit_minutes: int | None) -> datetime | None:
    """When time runs out for an attempt; None without a time limit."""
    if time_limit_minutes is None:
        return None
    return started_at + timedelta(minutes=time_limit_minutes)


def is_late(submitted_at: datetime, deadline: datetime | None) -> bool:
    """True when a submission came more than ``GRACE_SECONDS`` after the deadline."""
    if deadline is None:
        return False
    return submitted_at > deadline + timedelta(seconds=GRACE_SECONDS)


def reveal_answers(setting: str, *, passed: bool, attempts_left: int | None) -> bool:
    """May a graded attempt show the correct answers?

    never; after_submit: always once graded; after_pass: once the quiz is passed;
    after_last_attempt: once no attempt is left, or once the quiz is passed (no further attempt
    can be started then, see ``can_start``, so nothing is given away). With unlimited attempts
    (``attempts_left`` None) after_last_attempt therefore reveals only after a pass.
    """
    if setting == "never":
        return False
    if setting == "after_submit":
        return True
    if setting == "after_pass":
        return passed
    if setting == "after_last_attempt":
        return passed or attempts_left == 0
    raise ValueError(f"unknown reveal_answers setting {quote(setting)}")


def _when(moment: datetime, now: datetime) -> str:
    """A time as the learner reads it in a sentence: 14:05, with the date when not today (in
    the language being spoken; an ISO date outside a request)."""
    if moment.date() == now.date():
        return f"{moment:%H:%M}"
    locale = get_locale()
    day = (babel_dates.format_date(moment.date(), "d MMM y", locale=locale) if locale
           else f"{moment:%Y-%m-%d}")
    time = f"{moment:%H:%M}"
    return _("%(time)s on %(day)s", time=time, day=day)
