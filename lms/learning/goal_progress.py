"""How far a goal has come and whether it is on track: the status rule (a pure function),
the progress of each kind of goal, and what the dashboard and the goals page show.

``goals_overview`` also records ``achieved_at`` the first time it sees a goal met (so
"achieved" sticks even if a later quiz attempt lowers the result): the caller commits that, or
it is simply recorded again on the next visit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from lms.clock import local_today
from lms.extensions import db
from lms.i18n import _l, format_date, format_number
from lms.learning.catalog import live_items, quiz_doc
from lms.learning.completion import path_completions, path_progress, progress_map
from lms.learning.goals import CUMULATIVE, KINDS, amount_label, quiz_of, target_label
from lms.learning.standing import attempts_by_quiz
from lms.models import Attempt, ContentKind, Goal, GoalKind, User, utcnow
from lms.quiz import rules

Status = Literal["achieved", "on_track", "at_risk", "missed", "no_data", "to_do"]

#: At risk when progress trails the share of time gone by more than this many points ...
BEHIND_TOLERANCE = 15
#: ... or when less than this % of the time is left and the goal is not done yet.
FINAL_STRETCH = 20

STATUS_LABELS = {
    "achieved": _l("Achieved"), "on_track": _l("On track"), "at_risk": _l("At risk"),
    "missed": _l("Missed"), "no_data": _l("No data yet"),
    # A coaching next step is done or not: no progress to be behind on.
    "to_do": _l("To do"),
}
NO_SALES_DATA = _l("No sales data yet")

# --- the status rule (pure) -----------------------------------------------------------------

def time_elapsed(started: date, deadline: date, today: date) -> float:
    """The share (0-1) of the goal's time gone by the start of ``today``. The deadline day is a
    day to work in: a goal from the 1st to the 10th has 10 days, and on the 10th 90 % is gone."""
    total = max((deadline - started).days + 1, 1)
    return min(max((today - started).days / total, 0.0), 1.0)


def goal_status(*, progress: float | None, started: date, deadline: date, today: date,
                achieved: bool) -> Status:
    """Where a goal stands, in this order:

    1. ``achieved`` once the goal was met, whatever the date (it stays achieved);
    2. ``missed`` after the deadline when it was not met;
    3. ``no_data`` when progress cannot be measured (performance goals without sales data);
    4. ``at_risk`` when progress (0-1; above 1 counts as 1) trails the share of time gone
       (:func:`time_elapsed`) by more than ``BEHIND_TOLERANCE`` points, or when less than
       ``FINAL_STRETCH`` % of the time is left and progress is below 100 %;
    5. ``on_track`` otherwise (also before ``started``, and at 100 % for a rate goal whose
       period has not ended).
    """
    if achieved:
        return "achieved"
    if today > deadline:
        return "missed"
    if progress is None:
        return "no_data"
    done = min(max(progress, 0.0), 1.0) * 100
    gone = time_elapsed(started, deadline, today) * 100
    if done >= 100:
        return "on_track"
    # Rounded so that 0.5 - 0.35 is 15 points, not 15.000000000000002.
    if round(gone - done, 6) > BEHIND_TOLERANCE or round(100 - gone, 6) < FINAL_STRETCH:
        return "at_risk"
    return "on_track"


# --- progress -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Progress:
    """How far a goal is: ``value`` 0-1, or None when it cannot be measured (``detail`` says
    why); ``achieved_at`` when it was met on or before the deadline; ``completed`` when the
    detail already says when the module or path was completed."""

    value: float | None
    detail: str = ""
    achieved_at: datetime | None = None
    completed: bool = False


#: ``measure(user, spans, as_of)``: for each ``(goal, until)`` of one person, their value from
#: ``goal.starts_on`` to ``until`` (inclusive) in stored units (euros, deals, a 0-1 share), or
#: None without data for them, by goal id; all goals in a fixed number of statements.
Measure = Callable[[User, list[tuple[Goal, date]], date], dict[int, float | None]]
_MEASURE: list[Measure] = []


def register_measure(measure: Measure) -> None:
    """Plug the sales measures in for the performance goals (the sales module calls this)."""
    _MEASURE[:] = [measure]


class _Known:
    """What measuring a person's goals reads once for all of them: their module progress, path
    certificates, quiz attempts and sales values."""

    def __init__(self, user: User, goals: list[Goal], today: date, *,
                 progress: dict | None = None, certificates: dict | None = None) -> None:
        kinds = {GoalKind(goal.kind) for goal in goals}
        self.modules = (live_items(ContentKind.MODULE)
                        if GoalKind.COMPLETE_PATH in kinds else {})
        # A page that has read them already (the dashboard) passes them in.
        if progress is None:
            progress = (progress_map(user.id) if kinds & {
                GoalKind.COMPLETE_MODULE, GoalKind.COMPLETE_PATH} else {})
        if certificates is None:
            certificates = (path_completions(user.id)
                            if GoalKind.COMPLETE_PATH in kinds else {})
        self.progress, self.certificates = progress, certificates
        self.quizzes = {goal.id: quiz_of(goal.item) for goal in goals
                        if goal.kind == GoalKind.REACH_SCORE.value}
        self.attempts: dict[int, list[Attempt]] = attempts_by_quiz(
            user, sorted({quiz.id for quiz in self.quizzes.values() if quiz is not None}))
        spans = [(goal, min(today, goal.deadline)) for goal in goals
                 if not GoalKind(goal.kind).is_training and not GoalKind(goal.kind).is_coaching
                 and today >= goal.starts_on]
        self.values = _MEASURE[0](user, spans, today) if spans and _MEASURE else {}


def goal_progress(goal: Goal, user: User, today: date | None = None, *,
                  known: _Known | None = None) -> Progress:
    today = today or local_today()
    known = known or _Known(user, [goal], today)
    kind = GoalKind(goal.kind)
    if kind is GoalKind.COMPLETE_MODULE:
        return _module_progress(goal, known)
    if kind is GoalKind.COMPLETE_PATH:
        return _path_progress(goal, user, known)
    if kind is GoalKind.REACH_SCORE:
        return _score_progress(goal, known)
    if kind is GoalKind.COACHING_STEP:
        # Done when the person says so (lms.learning.goals.mark_done): nothing to measure.
        return Progress(None, _("Agreed in a coaching conversation: mark it done once you "
                                "have done it."))
    if not _MEASURE:
        return Progress(None, str(NO_SALES_DATA))
    actual = None if today < goal.starts_on else known.values.get(goal.id)
    return performance_progress(goal, actual, today)


def _on_time(goal: Goal, when: datetime) -> datetime | None:
    return when if when.date() <= goal.deadline else None


def _module_progress(goal: Goal, known: _Known) -> Progress:
    if goal.item is None:
        return Progress(None, _("This module no longer exists."))
    row = known.progress.get(goal.item.id)
    if row is not None and row.completed_at is not None:
        return Progress(1.0, _("Completed on %(day)s.", day=format_date(row.completed_at)),
                        _on_time(goal, row.completed_at), completed=True)
    if row is not None and row.read_at is not None:
        return Progress(0.5, _("Read; pass the quiz to complete it."))
    return Progress(0.0, _("Not read yet."))


def _path_progress(goal: Goal, user: User, known: _Known) -> Progress:
    if goal.item is None:
        return Progress(None, _("This learning path no longer exists."))
    progress = path_progress(user.id, goal.item, modules=known.modules,
                             progress=known.progress, completions=known.certificates)
    if progress is None:
        return Progress(None, _("This learning path is no longer offered."))
    if progress.completion is not None:
        done_at = progress.completion.completed_at
        return Progress(1.0, _("Completed on %(day)s.", day=format_date(done_at)),
                        _on_time(goal, done_at), completed=True)
    total, done = progress.required_total, progress.required_done
    return Progress(done / total if total else 0.0,
                    _("%(done)s of %(total)s required modules complete.", done=done, total=total))


def _score_progress(goal: Goal, known: _Known) -> Progress:
    quiz = known.quizzes.get(goal.id)
    if quiz is None or not goal.target:
        return Progress(None, _("This module no longer has a quiz."))
    method = quiz_doc(quiz.current_version).settings.grading_method
    graded = sorted((a.submission for a in known.attempts[quiz.id] if a.submission),
                    key=lambda s: s.submitted_at)
    # Replay the results in finishing order: the goal was met when the counted result first
    # reached the target (under "last" or "average" it may drop later; "achieved" sticks).
    percents: list[float] = []
    reached_at = None
    for submission in graded:
        percents.append(submission.percent)
        if reached_at is None and rules.module_result(percents, method) >= goal.target:
            reached_at = _on_time(goal, submission.submitted_at)
    result = rules.module_result(percents, method)
    if result is None:
        return Progress(0.0, _("No graded attempt yet."))
    return Progress(min(result / goal.target, 1.0),
                    _("Your result: %(result)s %% (goal %(target)s %%).",
                      result=format_number(result), target=format_number(goal.target)),
                    reached_at)


def performance_progress(goal: Goal, actual: float | None, today: date) -> Progress:
    """A performance goal's progress from the person's value over ``goal.starts_on`` to
    ``min(today, deadline)`` (stored units; None without sales data for them). Pages that
    measure many goals at once (My results) work the values out together and come here."""
    kind = GoalKind(goal.kind)
    if today < goal.starts_on:
        return Progress(0.0, _("Counting starts on %(day)s.", day=format_date(goal.starts_on)))
    if actual is None or not goal.target:
        return Progress(None, str(NO_SALES_DATA))
    # A total counts as soon as it is reached; a rate only once its period is over.
    final = kind in CUMULATIVE or today > goal.deadline
    met = actual >= goal.target and final
    detail = (_("%(actual)s so far, of %(target)s.", actual=amount_label(kind, actual),
                target=target_label(goal)) if kind in CUMULATIVE
              else _("Now %(actual)s; goal %(target)s.", actual=amount_label(kind, actual),
                     target=target_label(goal)))
    return Progress(min(actual / goal.target, 1.0), detail, utcnow() if met else None)


# --- what the dashboard and the goals page show ---------------------------------------------

@dataclass(frozen=True)
class GoalView:
    goal: Goal
    # Copied, not read through ``goal``: the dashboard commits before it renders, and a read
    # of an expired goal is one statement per goal.
    id: int
    note: str | None
    title: str
    kind: str
    kind_label: str
    is_training: bool
    target: str
    detail: str
    progress: float | None
    #: progress in whole %, None without data
    percent: int | None
    status: Status
    starts_on: date
    deadline: date
    #: negative once the deadline has passed
    days_left: int
    #: where today sits on the bar from starts_on to the end of the deadline day, 0-100
    today_percent: float

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def when(self) -> str:
        days = self.days_left
        if days > 0:
            return ngettext("%(num)d day left", "%(num)d days left", days)
        if days == 0:
            return _("Due today")
        if days == -1:
            return _("Deadline passed yesterday")
        return ngettext("Deadline passed %(num)d day ago", "Deadline passed %(num)d days ago",
                        -days)


def goal_view(goal: Goal, user: User, today: date,
              progress: Progress | None = None) -> GoalView:
    """Measure one goal (or take its ``progress`` already worked out); records
    ``achieved_at`` (not flushed) the first time it is met."""
    kind = GoalKind(goal.kind)
    progress = progress or goal_progress(goal, user, today)
    if goal.achieved_at is None and progress.achieved_at is not None:
        goal.achieved_at = progress.achieved_at
    achieved = goal.achieved_at is not None
    value = 1.0 if achieved else progress.value
    detail = progress.detail
    if achieved and not progress.completed:
        day = format_date(goal.achieved_at)
        detail = (_("Achieved on %(day)s. %(detail)s", day=day, detail=detail) if detail
                  else _("Achieved on %(day)s.", day=day))
    return GoalView(
        goal=goal, id=goal.id, note=goal.note, title=goal.title, kind=kind.value,
        kind_label=str(KINDS[kind].label), is_training=kind.is_training,
        target=target_label(goal), detail=detail,
        progress=value, percent=None if value is None else round(min(value, 1.0) * 100),
        status=("to_do" if kind is GoalKind.COACHING_STEP and not achieved
                and today <= goal.deadline
                else goal_status(progress=value, started=goal.starts_on,
                                 deadline=goal.deadline, today=today, achieved=achieved)),
        starts_on=goal.starts_on, deadline=goal.deadline,
        days_left=(goal.deadline - today).days,
        today_percent=round(time_elapsed(goal.starts_on, goal.deadline, today) * 100, 1),
    )


def goals_overview(user: User, today: date | None = None, *, progress: dict | None = None,
                   certificates: dict | None = None) -> list[GoalView]:
    """The person's active goals by deadline, measured. Flushes ``achieved_at`` for goals met
    since the last look; the caller commits (a dashboard that does not simply records it again
    next time). ``progress`` and ``certificates``: the person's ``progress_map`` and
    ``path_completions`` when the caller has them."""
    today = today or local_today()
    goals = db.session.scalars(
        select(Goal).where(Goal.user_id == user.id, Goal.archived_at.is_(None))
        .order_by(Goal.deadline, Goal.id)).all()
    # Read once for all of them: the page runs the same statements for one goal or twenty.
    known = _Known(user, list(goals), today, progress=progress, certificates=certificates)
    views = [goal_view(goal, user, today, goal_progress(goal, user, today, known=known))
             for goal in goals]
    if any(goal in db.session.dirty for goal in goals):
        db.session.flush()
    return views
