"""The manager's teams and the people in them, limited to what the manager may see."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import func, select

from lms.extensions import db
from lms.models import Role, Team, User
from lms.security import (
    Visibility,
    role_required,
    visible_people_query,
)

bp = Blueprint("manage", __name__)


@bp.route("/")
@role_required(Role.MANAGER)
def index():  # noqa: ANN201
    # Admins see the active teams; managers the teams they manage and below, even inactive.
    ids = Visibility(current_user).allowed
    teams = db.session.scalars(select(Team).where(Team.id.in_(ids)).order_by(Team.name)).all()
    people = db.session.scalars(
        visible_people_query(current_user)
        .where(User.active.is_(True), User.id != current_user.id)
        .order_by(func.lower(User.name))
    ).all()
    by_team: dict[int | None, list[User]] = {}
    for person in people:
        by_team.setdefault(person.team_id, []).append(person)
    team_ids = {t.id for t in teams}
    # Direct reports who sit in a team this manager does not manage still belong on the page.
    outside = [p for tid, group in by_team.items() if tid not in team_ids for p in group]
    return render_template("manage/index.html", teams=teams, by_team=by_team, outside=outside)

