"""Goals people set themselves: the kinds, and creating, editing and archiving them (their
progress and status: ``lms.learning.goal_progress``).

Training goals (finish a path or a module, reach a quiz score) are measured on completion and
quiz results. Performance goals (revenue, won deals, satisfaction, repeat-customer rate,
complaints resolved in time) are measured on sales data between ``starts_on`` and the deadline;
until a sales module registers a measure with :func:`register_measure` they show "No sales data
yet".

Targets are given in the unit a person types and stored in the unit of ``Goal.target``:

========================  ====================  =======================
kind                      typed                 stored
========================  ====================  =======================
reach_score               % (1-100)             % (1-100)
revenue                   euros (> 0)           euros
won_deals                 deals (whole, >= 1)   deals
satisfaction              % (1-100)             fraction 0-1
repeat_rate               % (1-100)             fraction 0-1
complaints_resolved       % (1-100)             fraction 0-1, with ``within_days`` >= 1
========================  ====================  =======================

Satisfaction is a share because sales systems score it differently (1-5 stars, 0-10, CSAT %):
the sales measure normalises its own scale to 0-1, and people think of it as a percentage.

Services flush; the view commits. How far a goal has come and whether it is on track is worked
out in ``lms.learning.goal_progress``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from lms.clock import local_today
from lms.content.documents import ModuleDoc
from lms.errors import DomainError
from lms.extensions import db
from lms.i18n import _l, format_money, format_number
from lms.learning.catalog import current_doc, live_item, shown_title
from lms.learning.completion import path_progress, progress_of
from lms.learning.standing import standing
from lms.models import ContentItem, ContentKind, Goal, GoalKind, User, utcnow


@dataclass(frozen=True)
class KindInfo:
    #: lazy strings: read in the language being spoken (``str()`` them to keep or compare)
    label: Any
    #: percent (stored as %), share (typed in %, stored 0-1), euros, count; "" = no target
    unit: str
    target_label: Any = ""


KINDS: dict[GoalKind, KindInfo] = {
    GoalKind.COMPLETE_PATH: KindInfo(_l("Finish a learning path"), ""),
    GoalKind.COMPLETE_MODULE: KindInfo(_l("Finish a module"), ""),
    GoalKind.REACH_SCORE: KindInfo(_l("Reach a quiz score"), "percent",
                                   _l("Score to reach (%)")),
    GoalKind.REVENUE: KindInfo(_l("Revenue"), "euros", _l("Revenue to reach (€)")),
    GoalKind.WON_DEALS: KindInfo(_l("Won deals"), "count", _l("Deals to win")),
    GoalKind.SATISFACTION: KindInfo(_l("Customer satisfaction"), "share",
                                    _l("Average satisfaction to reach (%)")),
    GoalKind.REPEAT_RATE: KindInfo(_l("Repeat-customer rate"), "share",
                                   _l("Share of customers who buy again (%)")),
    GoalKind.COMPLAINTS_RESOLVED: KindInfo(_l("Complaints resolved in time"), "share",
                                           _l("Share of complaints resolved in time (%)")),
    # Set by a manager's coaching observation, never on the goal form (lms.coaching).
    GoalKind.COACHING_STEP: KindInfo(_l("Coaching next step"), ""),
}
#: Measured as a running total (achieved as soon as it is reached), not as a rate over the period.
CUMULATIVE = {GoalKind.REVENUE, GoalKind.WON_DEALS}


# --- creating and editing -------------------------------------------------------------------

@dataclass(frozen=True)
class GoalFields:
    """What a person fills in. ``target`` is in the unit they type (see the module docstring);
    ``item`` is the path or module of a training goal; ``starts_on`` defaults to today."""

    kind: GoalKind | str
    deadline: date | None
    title: str = ""
    note: str = ""
    item: ContentItem | None = None
    target: float | None = None
    within_days: int | None = None
    starts_on: date | None = None


def kind_of(value: GoalKind | str) -> GoalKind:
    """A kind a person may choose on the goal form (not a coaching next step)."""
    try:
        kind = GoalKind(value)
        if kind.is_coaching:
            raise ValueError(value)
        return kind
    except ValueError:
        raise DomainError(_("Choose what kind of goal this is."), field="kind") from None


def create_goal(user: User, fields: GoalFields, *, today: date | None = None) -> Goal:
    today = today or local_today()
    goal = Goal(user_id=user.id)
    _apply(goal, user, fields, today=today, creating=True)
    db.session.add(goal)
    db.session.flush()
    return goal


def update_goal(goal: Goal, fields: GoalFields, *, today: date | None = None) -> Goal:
    """Edit a goal. A changed deadline must not be in the past; an unchanged one may be. Changing
    what is measured (kind, item, target, days) forgets an earlier "achieved"."""
    if goal.archived_at is not None:
        raise DomainError(_("This goal is archived and can no longer be changed."))
    before = (goal.kind, goal.item_id, goal.target, goal.within_days)
    _apply(goal, goal_user(goal), fields, today=today or local_today(), creating=False)
    if (goal.kind, goal.item_id, goal.target, goal.within_days) != before:
        goal.achieved_at = None
    db.session.flush()
    return goal


def archive_goal(goal: Goal, *, now: datetime | None = None) -> None:
    if goal.archived_at is None:
        goal.archived_at = now or utcnow()
        db.session.flush()


def goal_user(goal: Goal) -> User:
    user = db.session.get(User, goal.user_id)
    assert user is not None
    return user


def _apply(goal: Goal, user: User, fields: GoalFields, *, today: date, creating: bool) -> None:
    kind = kind_of(fields.kind)
    title = (fields.title or "").strip()
    if len(title) > 200:
        raise DomainError(_("Keep the title under 200 characters."), field="title")
    if len(fields.note or "") > 2000:
        raise DomainError(_("Keep the note under %(num)s characters.", num=format_number(2000)),
                          field="note")
    if fields.deadline is None:
        raise DomainError(_("Enter the deadline."), field="deadline")
    if fields.deadline < today and (creating or fields.deadline != goal.deadline):
        raise DomainError(_("The deadline is in the past: choose today or a later day."),
                          field="deadline")
    starts_on = fields.starts_on or (goal.starts_on if not creating else today)
    if starts_on > fields.deadline:
        raise DomainError(_("The start date must be on or before the deadline."),
                          field="starts_on")

    item = _check_item(goal, user, kind, fields, creating=creating)
    target = _check_target(kind, fields.target, within_days=fields.within_days)
    if kind is GoalKind.REACH_SCORE and item is not None and target is not None:
        _check_score_not_reached(user, item, target, creating=creating or item.id != goal.item_id)

    goal.kind, goal.item_id, goal.item = kind.value, item.id if item else None, item
    goal.target = target
    goal.within_days = fields.within_days if kind is GoalKind.COMPLAINTS_RESOLVED else None
    goal.starts_on, goal.deadline = starts_on, fields.deadline
    goal.note = (fields.note or "").strip()
    goal.title = title or default_title(kind, item, fields.target, goal.within_days)


def _check_item(goal: Goal, user: User, kind: GoalKind, fields: GoalFields, *,
                creating: bool) -> ContentItem | None:
    if not kind.is_training:
        return None
    field = "path" if kind is GoalKind.COMPLETE_PATH else "module"
    wanted = ContentKind.PATH if field == "path" else ContentKind.MODULE
    item = fields.item
    if item is None or item.kind != wanted.value:
        raise DomainError(_("Choose a learning path.") if field == "path"
                          else _("Choose a module."), field=field)
    unchanged = not creating and item.id == goal.item_id
    # A goal may keep an item that was retired after it was set; a new choice must be live.
    if not unchanged and (item.retired_at is not None or item.current_version is None):
        raise DomainError(_("That learning path is no longer offered: choose another.")
                          if field == "path"
                          else _("That module is no longer offered: choose another."), field=field)
    doc = current_doc(item) if item.current_version is not None else None
    title = shown_title(item)
    if kind is GoalKind.REACH_SCORE and quiz_of(item) is None:
        raise DomainError(_("“%(title)s” has no quiz: choose a module that ends with a quiz.",
                            title=title), field=field)
    if unchanged:
        return item
    others = select(Goal.id).where(Goal.user_id == user.id, Goal.kind == kind.value,
                                   Goal.item_id == item.id, Goal.archived_at.is_(None))
    if goal.id is not None:
        others = others.where(Goal.id != goal.id)
    if kind is not GoalKind.REACH_SCORE and db.session.scalar(others.limit(1)) is not None:
        raise DomainError(_("You already have a goal for “%(title)s”.", title=title),
                          field=field)
    if kind is GoalKind.COMPLETE_MODULE and isinstance(doc, ModuleDoc):
        row = progress_of(user.id, item)
        if row is not None and row.completed_at is not None:
            raise DomainError(_("You have already completed “%(title)s”.", title=title),
                              field=field)
    if kind is GoalKind.COMPLETE_PATH:
        progress = path_progress(user.id, item)
        if progress is not None and progress.completion is not None:
            raise DomainError(_("You have already completed “%(title)s”.", title=title),
                              field=field)
    return item


def _check_target(kind: GoalKind, target: float | None, *, within_days: int | None) -> float | None:
    """The target in stored units, or a DomainError saying what to enter."""
    info = KINDS[kind]
    if not info.unit:
        return None
    if kind is GoalKind.COMPLAINTS_RESOLVED and (within_days is None or not
                                                 1 <= within_days <= 365):
        raise DomainError(_("Enter the number of days to resolve a complaint in, from 1 to 365."),
                          field="within_days")
    if info.unit in ("percent", "share"):
        if target is None or not 0 < target <= 100:
            raise DomainError(_("Enter a percentage above 0 and at most 100."),
                              field="target")
        return round(target, 2) if info.unit == "percent" else round(target / 100, 4)
    if info.unit == "count":
        if target is None or target < 1 or target != int(target):
            raise DomainError(_("Enter the number of deals to win: a whole number, 1 or more."),
                              field="target")
        return float(int(target))
    if target is None or not 0 < target < 1_000_000_000:
        raise DomainError(_("Enter the revenue to reach in euros: more than 0."),
                          field="target")
    return round(target, 2)


def _check_score_not_reached(user: User, module: ContentItem, target: float, *,
                             creating: bool) -> None:
    quiz = quiz_of(module)
    if not creating or quiz is None:
        return
    result = standing(user, quiz).result
    if result is not None and result >= target:
        raise DomainError(_("Your result on this quiz is already %(percent)s %%: set a higher "
                            "score.", percent=format_number(result)), field="target")


def quiz_of(module: ContentItem | None) -> ContentItem | None:
    doc = current_doc(module) if module is not None and module.current_version else None
    return live_item(ContentKind.QUIZ, doc.quiz) if isinstance(doc, ModuleDoc) and doc.quiz \
        else None


def default_title(kind: GoalKind, item: ContentItem | None, typed_target: float | None,
                  within_days: int | None) -> str:
    """The title of a goal left untitled, in the language of the person setting it (it is
    stored: it stays in that language, as a title they typed would)."""
    name = item.current_version.title if item is not None and item.current_version else ""
    number = format_number(typed_target or 0)
    if kind in (GoalKind.COMPLETE_PATH, GoalKind.COMPLETE_MODULE):
        return _("Finish “%(title)s”", title=name)
    if kind is GoalKind.REACH_SCORE:
        return _("Score %(percent)s %% on “%(title)s”", percent=number, title=name)
    if kind is GoalKind.REVENUE:
        return _("%(amount)s revenue", amount=money(typed_target or 0))
    if kind is GoalKind.WON_DEALS:
        return ngettext("Win %(count)s deal", "Win %(count)s deals", _whole(typed_target),
                        count=number)
    if kind is GoalKind.COMPLAINTS_RESOLVED:
        return ngettext("Resolve %(percent)s %% of complaints within %(num)d day",
                        "Resolve %(percent)s %% of complaints within %(num)d days",
                        within_days or 0, percent=number)
    if kind is GoalKind.SATISFACTION:
        return _("Customer satisfaction of %(percent)s %%", percent=number)
    return _("Repeat-customer rate of %(percent)s %%", percent=number)


def _whole(value: float | None) -> int:
    """A count for choosing a plural: 1 only for exactly one."""
    return 1 if value == 1 else 2


def money(value: float) -> str:
    """Whole euros without cents, others with: "€25,000", "€25,000.50" ("€ 25.000,50")."""
    return format_money(value, digits=0 if value == int(value) else 2)


def typed_target(goal: Goal) -> float | None:
    """The target as the person typed it (for the edit form)."""
    if goal.target is None:
        return None
    unit = KINDS[GoalKind(goal.kind)].unit
    return round(goal.target * 100, 2) if unit == "share" else goal.target


def target_label(goal: Goal) -> str:
    return amount_label(GoalKind(goal.kind), goal.target, within_days=goal.within_days)


def amount_label(kind: GoalKind, stored: float | None, *, within_days: int | None = None) -> str:
    """A target or a measured value, in stored units, as a person reads it."""
    if stored is None:
        return ""
    unit = KINDS[kind].unit
    if unit == "euros":
        return money(stored)
    if unit == "count":
        return ngettext("%(count)s deal", "%(count)s deals", _whole(stored),
                        count=format_number(stored))
    percent = format_number(round(stored * 100, 2) if unit == "share" else round(stored, 2))
    if kind is GoalKind.COMPLAINTS_RESOLVED and within_days:
        return ngettext("%(percent)s %% within %(num)d day", "%(percent)s %% within %(num)d days",
                        within_days, percent=percent)
    return f"{percent} %"


def archived_goals(user: User) -> list[Goal]:
    return list(db.session.scalars(
        select(Goal).where(Goal.user_id == user.id, Goal.archived_at.is_not(None))
        .order_by(Goal.archived_at.desc())))


def mark_done(goal: Goal, *, now: datetime | None = None) -> None:
    """A coaching next step the person has done (other goals are measured, not marked)."""
    if not GoalKind(goal.kind).is_coaching:
        raise DomainError(_("Only a coaching next step is marked done by hand."))
    if goal.achieved_at is None:
        goal.achieved_at = now or utcnow()
        db.session.flush()


def own_goal(user: User, goal_id: int) -> Goal | None:
    """The person's own active goal, or None (someone else's goal is never returned)."""
    goal = db.session.get(Goal, goal_id)
    if goal is None or goal.user_id != user.id or goal.archived_at is not None:
        return None
    return goal
