"""The manager's assignment pages: assign a path or module to a person or a whole team, list
the assignments of their people, change a due date, withdraw.

Everything is limited to the viewer's scope (the security policy's visible people; the teams they
manage and those below); admins see everyone. Out-of-scope ids answer 404, like the rest of the
manager's pages.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from lms.clock import local_today
from lms.errors import DomainError
from lms.extensions import db
from lms.forms import ActionForm
from lms.i18n import format_date
from lms.inputs import id_arg, page_arg
from lms.learning.assignments import (
    AssignmentFilters,
    AssignmentStatus,
    assign,
    assign_to_team,
    change_due_date,
    list_assignments,
    live_assignment,
    status_of,
    withdraw,
)
from lms.learning.catalog import live_items
from lms.learning.rollouts import is_waiting
from lms.manage.assignment_forms import DUE_FIXED, DUE_NONE, DUE_RELATIVE, AssignForm, DueDateForm
from lms.models import Assignment, ContentItem, ContentKind, Role, Team, User
from lms.security import (
    Visibility,
    can_view_user,
    get_visible_user_or_404,
    role_required,
    visible_people_ids,
    visible_people_query,
)

bp = Blueprint("assignments", __name__)

#: How many names a flash message lists before saying "and N more" (it lives in the cookie).
NAMES_SHOWN = 10




# Scope ------------------------------------------------------------------------------------------

def people_scope(viewer: User):  # noqa: ANN201 - a SELECT of user ids
    """Ids of the people whose assignments ``viewer`` manages: everyone the policy lets them
    see but themselves."""
    return visible_people_ids(viewer).where(User.id != viewer.id)


def teams_in_scope(viewer: User) -> list[Team]:
    """The active teams the policy lets ``viewer`` choose, by name."""
    return list(db.session.scalars(
        select(Team).where(Team.active.is_(True), Team.id.in_(Visibility(viewer).allowed))
        .order_by(func.lower(Team.name))))


def _team_or_404(team_id: int) -> Team:
    team = db.session.get(Team, team_id)
    if team is None or team not in teams_in_scope(current_user):
        abort(404)
    return team


def _person_or_404(user_id: int) -> User:
    person = get_visible_user_or_404(current_user, user_id)
    if person.id == current_user.id:
        abort(404)
    return person


def _assignment_or_404(assignment_id: int) -> Assignment:
    assignment = db.session.get(Assignment, assignment_id)
    if (assignment is None or assignment.withdrawn_at is not None
            or assignment.user_id == current_user.id
            or not can_view_user(current_user, assignment.user)):
        abort(404)
    return assignment


def _people(team_id: int | None = None) -> list[User]:
    query = (visible_people_query(current_user)
             .where(User.active.is_(True), User.id != current_user.id)
             .order_by(func.lower(User.name)).options(selectinload(User.team)))
    if team_id:
        query = query.where(User.team_id == team_id)
    return list(db.session.scalars(query))


def assignable_items() -> list[tuple[ContentItem, str]]:
    """(item, title) of the live paths, then the live modules, each by title."""
    result = []
    for kind in (ContentKind.PATH, ContentKind.MODULE):
        items = [(item, item.current_version.title) for item in live_items(kind).values()]
        result += sorted(items, key=lambda pair: pair[1].lower())
    return result


def _title(item: ContentItem) -> str:
    return item.current_version.title if item.current_version is not None else item.slug


def _names(people: list[User]) -> str:
    names = ", ".join(p.name for p in people[:NAMES_SHOWN])
    more = len(people) - NAMES_SHOWN
    if more <= 0:
        return names
    return ngettext("%(names)s and %(num)d more", "%(names)s and %(num)d more", more, names=names)


# List -------------------------------------------------------------------------------------------

@bp.route("/")
@role_required(Role.MANAGER)
def index():  # noqa: ANN201
    status = request.args.get("status", "")
    filters = AssignmentFilters(
        team_id=id_arg("team"), user_id=id_arg("person"), item_id=id_arg("item"),
        status=AssignmentStatus(status) if status in set(AssignmentStatus) else None,
    )
    teams = teams_in_scope(current_user)
    result = list_assignments(people_scope(current_user), filters, today=local_today(),
                              page=page_arg())
    args = {"team": filters.team_id, "person": filters.user_id, "item": filters.item_id,
            "status": filters.status.value if filters.status else None}
    return render_template("manage/assignments/index.html", result=result, filters=filters,
                           args={k: v for k, v in args.items() if v},
                           teams=teams, people=_people(filters.team_id),
                           items=assignable_items(), statuses=list(AssignmentStatus))


# Assign -----------------------------------------------------------------------------------------

def _assign_choices(form: AssignForm) -> None:
    teams = teams_in_scope(current_user)
    sizes = dict(db.session.execute(
        select(User.team_id, func.count()).where(
            User.team_id.in_([t.id for t in teams]), User.active.is_(True),
            User.role == Role.LEARNER.value).group_by(User.team_id)).all())
    whole_team, one_person = _("Whole team"), _("One person")
    team_choices = [SelectChoice(f"team:{t.id}",
                                 ngettext("%(team)s (%(num)d salesperson)",
                                          "%(team)s (%(num)d salespeople)",
                                          sizes.get(t.id, 0), team=t.name),
                                 optgroup=whole_team) for t in teams]
    people_choices = [SelectChoice(f"user:{p.id}", p.name + (f" ({p.team.name})" if p.team
                                                             else ""), optgroup=one_person)
                      for p in _people()]
    form.target.choices = [SelectChoice("", _("Choose a team or a person"))] + team_choices \
        + people_choices
    labels = {ContentKind.PATH.value: _("Learning paths"), ContentKind.MODULE.value: _("Modules")}
    form.item_id.choices = [SelectChoice(0, _("Choose a path or module"))] + [
        SelectChoice(item.id, title, optgroup=labels[item.kind])
        for item, title in assignable_items()]


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.MANAGER)
def new():  # noqa: ANN201
    form = AssignForm()
    _assign_choices(form)
    if request.method == "GET":
        team_id, person_id = id_arg("team"), id_arg("person")
        if team_id:
            form.target.data = f"team:{team_id}"
        elif person_id:
            form.target.data = f"user:{person_id}"
        form.item_id.data = id_arg("item") or 0
    if form.validate_on_submit():
        # The choices are the viewer's scope, so both are known to exist and be visible.
        kind, _sep, raw_id = (form.target.data or "").partition(":")
        item = db.get_or_404(ContentItem, form.item_id.data)
        try:
            if kind == "team":
                return _assign_team(_team_or_404(int(raw_id)), item, form)
            return _assign_person(_person_or_404(int(raw_id)), item, form)
        except DomainError as exc:
            db.session.rollback()
            field = form.days_after_hire if form.due_kind.data == DUE_RELATIVE else form.target
            field.errors = [*field.errors, exc.message]
    return render_template("manage/assignments/new.html", form=form)


def _assign_person(person: User, item: ContentItem, form: AssignForm):  # noqa: ANN202
    title = _title(item)
    already = live_assignment(person, item) is not None
    waiting = is_waiting(person, item)
    assignment = assign(person, item, by=current_user, **form.due())
    db.session.commit()
    if already:
        flash(_("%(name)s already had %(title)s; the due date is updated.",
                name=person.name, title=title), "success")
    else:
        flash(_("%(title)s assigned to %(name)s.", title=title, name=person.name), "success")
    if waiting:
        flash(_("%(name)s was on the waitlist of a rollout of %(title)s: training them before "
                "their wave blurs the comparison between the waves.",
                name=person.name, title=title), "warning")
    if status_of(assignment, local_today()) is AssignmentStatus.OVERDUE:
        flash(_("The due date, %(date)s, is already past: it shows as overdue. Change it if "
                "that is not what you meant.", date=format_date(assignment.due_date)), "warning")
    return redirect(url_for("assignments.index", person=person.id))


def _assign_team(team: Team, item: ContentItem, form: AssignForm):  # noqa: ANN202
    title = _title(item)
    result = assign_to_team(team, item, by=current_user, today=local_today(),
                            **form.due())
    db.session.commit()
    if result.assigned:
        flash(ngettext("%(title)s assigned to %(num)d person in %(team)s.",
                       "%(title)s assigned to %(num)d people in %(team)s.",
                       len(result.assigned), title=title, team=team.name), "success")
    if result.updated:
        flash(_("Already assigned, due date updated: %(names)s.", names=_names(result.updated)),
              "info")
    if result.skipped:
        reasons = sorted({str(why) for _person, why in result.skipped})
        flash(_("Not assigned: %(names)s (%(reasons)s). Set their hire date, or assign them a "
                "fixed date.", names=_names([p for p, _why in result.skipped]),
                reasons="; ".join(reasons)), "warning")
    if result.past_due:
        flash(_("The due date is already past for %(names)s: they start out overdue. Change "
                "their due date if that is not what you meant.", names=_names(result.past_due)),
              "warning")
    if not (result.assigned or result.updated or result.skipped):
        flash(_("%(team)s has no salespeople yet, so nothing was assigned.", team=team.name),
              "warning")
    return redirect(url_for("assignments.index", team=team.id))


# Change and withdraw ----------------------------------------------------------------------------

@bp.route("/<int:assignment_id>", methods=["GET", "POST"])
@role_required(Role.MANAGER)
def edit(assignment_id: int):  # noqa: ANN201
    assignment = _assignment_or_404(assignment_id)
    form = DueDateForm()
    if request.method == "GET":
        if assignment.due_days_after_hire is not None:
            form.due_kind.data = DUE_RELATIVE
            form.days_after_hire.data = assignment.due_days_after_hire
        elif assignment.due_date is not None:
            form.due_kind.data = DUE_FIXED
            form.due_date.data = assignment.due_date
        else:
            form.due_kind.data = DUE_NONE
    if form.validate_on_submit():
        try:
            change_due_date(assignment, **form.due())
        except DomainError as exc:
            db.session.rollback()
            form.days_after_hire.errors = [*form.days_after_hire.errors, exc.message]
        else:
            db.session.commit()
            flash(_("Due date of %(title)s for %(name)s saved.",
                    title=_title(assignment.item), name=assignment.user.name), "success")
            return redirect(url_for("assignments.index", person=assignment.user_id))
    return render_template("manage/assignments/edit.html", assignment=assignment, form=form,
                           action=ActionForm())


@bp.route("/<int:assignment_id>/withdraw", methods=["POST"])
@role_required(Role.MANAGER)
def withdraw_assignment(assignment_id: int):  # noqa: ANN201
    assignment = _assignment_or_404(assignment_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    withdraw(assignment)
    db.session.commit()
    flash(_("%(title)s withdrawn from %(name)s. Their progress is kept.",
            title=_title(assignment.item), name=assignment.user.name), "success")
    return redirect(url_for("assignments.index", person=assignment.user_id))
