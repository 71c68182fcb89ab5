"""The manager's rollouts in waves: make one, see who is in which wave and when it starts, and
withdraw it. Thin views over lms.learning.rollouts; team-scoped through lms.security (a rollout
with nobody the viewer may see answers 404)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload
from wtforms.fields.choices import SelectChoice

from lms.bounds import MAX_ID
from lms.clock import local_today
from lms.errors import DomainError
from lms.extensions import db
from lms.forms import ActionForm
from lms.learning.assignments import team_learners
from lms.learning.rollouts import EXPLANATIONS, make_rollout, replay_split, withdraw_rollout
from lms.manage.assignments import assignable_items, teams_in_scope
from lms.manage.rollout_forms import RolloutForm
from lms.models import ContentItem, ContentKind, Role, User
from lms.models.rollouts import Design, Rollout, RolloutMember
from lms.security import role_required, viewer_scope

bp = Blueprint("rollouts", __name__)


def _visible_members(rollout_id: int | None = None) -> dict[Rollout, list[RolloutMember]]:
    """The members the viewer may see, by rollout (all rollouts, or one): one query, whatever
    the number of rollouts and people."""
    query = (select(RolloutMember).join(User, User.id == RolloutMember.user_id)
             .where(viewer_scope(current_user).condition())
             .options(contains_eager(RolloutMember.user), selectinload(RolloutMember.team),
                      selectinload(RolloutMember.rollout).selectinload(Rollout.item)
                      .selectinload(ContentItem.current_version))
             .order_by(RolloutMember.rollout_id, RolloutMember.id))
    if rollout_id is not None:
        query = query.where(RolloutMember.rollout_id == rollout_id)
    by_rollout: dict[Rollout, list[RolloutMember]] = {}
    for member in db.session.scalars(query):
        by_rollout.setdefault(member.rollout, []).append(member)
    return by_rollout


def _rollout_or_404(rollout_id: int) -> tuple[Rollout, list[RolloutMember]]:
    found = _visible_members(rollout_id) if rollout_id <= MAX_ID else {}
    if not found:
        abort(404)
    return next(iter(found.items()))


@bp.route("/")
@role_required(Role.MANAGER)
def index():  # noqa: ANN201
    shown = sorted(_visible_members().items(), key=lambda pair: pair[0].made_at, reverse=True)
    return render_template("manage/rollouts/index.html", rollouts=shown, Design=Design,
                           today=local_today())


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.MANAGER)
def new():  # noqa: ANN201
    form = RolloutForm()
    teams = teams_in_scope(current_user)
    form.team_ids.choices = [SelectChoice(t.id, t.name) for t in teams]
    labels = {ContentKind.PATH.value: _("Learning paths"), ContentKind.MODULE.value: _("Modules")}
    form.item_id.choices = [SelectChoice(0, _("Choose a path or module"))] + [
        SelectChoice(item.id, title, optgroup=labels[item.kind])
        for item, title in assignable_items()]
    if form.validate_on_submit():
        item = db.get_or_404(ContentItem, form.item_id.data)
        chosen = [t for t in teams if t.id in set(form.team_ids.data)]
        people = [p for team in chosen for p in team_learners(team)]
        design = Design(form.design.data)
        try:
            result = make_rollout(item, people, design=design, by=current_user,
                                  today=local_today(), interval_days=form.interval_days.data,
                                  waves=form.waves.data or 3, due_days=form.due_days.data)
        except DomainError as exc:
            db.session.rollback()
            target = getattr(form, exc.field or "team_ids", form.team_ids)
            target.errors = [*target.errors, exc.message]
        else:
            db.session.commit()
            rollout = result.rollout
            # Two counts in one sentence: the people and the waves each get their own plural.
            people = ngettext("%(num)d person", "%(num)d people", len(rollout.members))
            flash(ngettext("The split is made: %(people)s in %(num)d wave; the first wave has "
                           "the training now.",
                           "The split is made: %(people)s in %(num)d waves; the first wave has "
                           "the training now.", rollout.waves, people=people), "success")
            if result.skipped:
                flash(ngettext("Left out: %(num)d person who already has this training or is "
                               "waiting for it.",
                               "Left out: %(num)d people who already have this training or are "
                               "waiting for it.", len(result.skipped)), "info")
            return redirect(url_for("rollouts.detail", rollout_id=rollout.id))
    return render_template("manage/rollouts/new.html", form=form, explanations=EXPLANATIONS,
                           Design=Design)


@bp.route("/<int:rollout_id>")
@role_required(Role.MANAGER)
def detail(rollout_id: int):  # noqa: ANN201
    rollout, members = _rollout_or_404(rollout_id)
    waves = []
    for wave in range(1, rollout.waves + 1):
        in_wave = [m for m in members if m.wave == wave]
        starts = in_wave[0].starts_on if in_wave else None
        waves.append({"number": wave, "starts_on": starts, "people": in_wave,
                      "started": bool(in_wave) and all(m.assignment_id for m in in_wave)})
    replay = replay_split(rollout)
    checks_out = all(replay.get(m.user_id) == m.wave for m in rollout.members)
    return render_template("manage/rollouts/detail.html", rollout=rollout, waves=waves,
                           members=members,
                           explanation=str(EXPLANATIONS[Design(rollout.design)]),
                           checks_out=checks_out, Design=Design, action=ActionForm(),
                           hidden=len(rollout.members) - len(members), today=local_today())


@bp.route("/<int:rollout_id>/withdraw", methods=["POST"])
@role_required(Role.MANAGER)
def withdraw(rollout_id: int):  # noqa: ANN201
    rollout, _members = _rollout_or_404(rollout_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            count = withdraw_rollout(rollout)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "warning")
        else:
            db.session.commit()
            flash(ngettext("Rollout withdrawn: the waves still to come will not start, and "
                           "%(num)d live assignment from it is withdrawn. Its record stays.",
                           "Rollout withdrawn: the waves still to come will not start, and "
                           "%(num)d live assignments from it are withdrawn. Its record stays.",
                           count), "success")
    return redirect(url_for("rollouts.detail", rollout_id=rollout.id))
