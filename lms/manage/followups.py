"""The managers' follow-ups page: the follow-ups and open complaints of their people, with the
counts per person, filtered by team (and person) as the other team pages are. Team-scoped
through lms.security: a team, person or deal out of sight answers 404. Registered under
/manage/follow-ups."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import and_

from lms.clock import local_today
from lms.extensions import db
from lms.inputs import id_arg
from lms.learn.followup_routes import KINDS, action_page, sale_or_404
from lms.models import Role, Sale, User
from lms.sales.recorded import RECENT_DAYS, recently_recorded
from lms.sales.worklist import in_scope, rules_from, team_counts, team_worklist
from lms.security import choose_scope_or_404, role_required

bp = Blueprint("team_followups", __name__)

#: The longest list shown at once; a team or person choice narrows it.
LIMIT = 200


@bp.route("/")
@role_required(Role.MANAGER)
def index():  # noqa: ANN201
    choice = choose_scope_or_404(current_user, request.args.get("team"))
    rules = rules_from(current_app.config, local_today())
    person = None
    if (person_id := id_arg("person")) is not None:
        person = db.session.get(User, person_id)
        if person is None or not choice.scope.includes_user(person):
            abort(404)
    counts = team_counts(choice.scope, rules)
    work = team_worklist(choice.scope, rules, person_id=person.id if person else None,
                         limit=LIMIT)
    who = in_scope(choice.scope)
    if person is not None:
        who = and_(who, Sale.user_id == person.id)
    return render_template("manage/followups/index.html", choice=choice, rules=rules,
                           counts=counts, work=work, person=person, limit=LIMIT,
                           recorded=recently_recorded(who), recent_days=RECENT_DAYS)


@bp.route("/<int:sale_id>/follow-up", methods=["GET", "POST"], defaults={"what": "follow-up"})
@bp.route("/<int:sale_id>/resolution", methods=["GET", "POST"],
          defaults={"what": "resolution"})
@role_required(Role.MANAGER)
def record(sale_id: int, what: str):  # noqa: ANN201
    sale = sale_or_404(sale_id, viewer=current_user)
    team = request.args.get("team") or None
    return action_page(sale, KINDS[what], back=url_for("team_followups.index", team=team),
                       back_label=_("Follow-ups"))
