"""A learner's own goals: the list with its timeline, setting, editing and archiving a goal.

Registered under /learn/goals. A person only ever sees their own goals: any other id is a 404.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.errors import DomainError
from lms.extensions import db
from lms.forms import ActionForm
from lms.learn.goal_forms import GoalForm
from lms.learning.catalog import live_items, shown_title
from lms.learning.goal_progress import goals_overview
from lms.learning.goals import (
    KINDS,
    GoalFields,
    archive_goal,
    archived_goals,
    create_goal,
    mark_done,
    own_goal,
    typed_target,
    update_goal,
)
from lms.models import ContentItem, ContentKind, Goal, GoalKind

bp = Blueprint("goals", __name__)


def _items(goal: Goal | None = None) -> dict[str, list[tuple[int, str]]]:
    """Choices for the path and module selects: live items by title, plus the goal's own item
    when it has since been retired (so editing the rest of the goal still works)."""
    out: dict[str, list[tuple[int, str]]] = {}
    for key, kind in (("path", ContentKind.PATH), ("module", ContentKind.MODULE)):
        items = list(live_items(kind).values())
        pairs = sorted(((i.id, shown_title(i)) for i in items), key=lambda p: p[1])
        if goal is not None and goal.item is not None and goal.item.kind == kind.value \
                and all(goal.item_id != i.id for i in items):
            title = goal.item.current_version.title if goal.item.current_version \
                else goal.item.slug
            pairs.append((goal.item.id, _("%(title)s (no longer offered)", title=title)))
        out[key] = pairs
    return out


def _fields(form: GoalForm) -> GoalFields:
    kind = form.selected_kind
    names = {f.name for f in form.kind_fields()}
    item_id = form.path.data if "path" in names else form.module.data if "module" in names \
        else None
    return GoalFields(
        kind=kind, title=form.title.data or "", note=form.note.data or "",
        item=db.session.get(ContentItem, item_id) if item_id else None,
        target=form.target.data if "target" in names else None,
        within_days=form.within_days.data if "within_days" in names else None,
        starts_on=form.starts_on.data, deadline=form.deadline.data)


def _form_error(form: GoalForm, exc: DomainError) -> None:
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, exc.message]
    else:
        flash(exc.message, "error")


def _save(form: GoalForm, goal: Goal | None) -> Goal | None:
    """Validate and save; the saved goal, or None with the errors on the form."""
    if "change_kind" in request.form or not form.validate_on_submit():
        return None
    try:
        if goal is None:
            goal = create_goal(current_user, _fields(form))
        else:
            update_goal(goal, _fields(form))
    except DomainError as exc:
        db.session.rollback()
        _form_error(form, exc)
        return None
    db.session.commit()
    return goal


@bp.route("/")
@login_required
def index():  # noqa: ANN201
    goals = goals_overview(current_user)
    db.session.commit()  # achieved_at of goals met since the last look
    return render_template("learn/goals/list.html", goals=goals,
                           archived=archived_goals(current_user), action=ActionForm())


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():  # noqa: ANN201
    form = GoalForm(items=_items())
    if request.method == "GET":
        kind = request.args.get("kind", "")
        if kind not in {k.value for k in GoalKind if not k.is_coaching}:
            return render_template("learn/goals/form.html", form=None, goal=None, kinds=KINDS)
        form.kind.data = kind
        form.show_kind(form.selected_kind)
    elif (goal := _save(form, None)) is not None:
        flash(_("Goal set: “%(title)s”.", title=goal.title), "success")
        return redirect(url_for("goals.index"))
    return render_template("learn/goals/form.html", form=form, goal=None, kinds=KINDS)


@bp.route("/<int:goal_id>", methods=["GET", "POST"])
@login_required
def edit(goal_id: int):  # noqa: ANN201
    goal = own_goal(current_user, goal_id) or abort(404)
    if GoalKind(goal.kind).is_coaching:
        # Agreed with the manager: it is marked done or archived, not edited.
        abort(404)
    if request.method == "GET":
        form = GoalForm(obj=goal, items=_items(goal))
        form.path.data = form.module.data = goal.item_id or 0
        form.target.data = typed_target(goal)
    else:
        form = GoalForm(items=_items(goal))
        if _save(form, goal) is not None:
            flash(_("Goal saved: “%(title)s”.", title=goal.title), "success")
            return redirect(url_for("goals.index"))
    return render_template("learn/goals/form.html", form=form, goal=goal, kinds=KINDS,
                           action=ActionForm())


@bp.route("/<int:goal_id>/archive", methods=["POST"])
@login_required
def archive(goal_id: int):  # noqa: ANN201
    goal = own_goal(current_user, goal_id) or abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    archive_goal(goal)
    db.session.commit()
    flash(_("Goal archived: “%(title)s”.", title=goal.title), "success")
    return redirect(url_for("goals.index"))


@bp.route("/<int:goal_id>/done", methods=["POST"])
@login_required
def done(goal_id: int):  # noqa: ANN201
    """Mark a coaching next step done (other goals are measured)."""
    goal = own_goal(current_user, goal_id) or abort(404)
    if not GoalKind(goal.kind).is_coaching:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    mark_done(goal)
    db.session.commit()
    flash(_("Marked done: “%(title)s”.", title=goal.title), "success")
    return redirect(url_for("goals.index"))
