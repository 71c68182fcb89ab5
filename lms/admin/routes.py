"""Admin pages: people, teams and the CSV import of people."""

from __future__ import annotations

import base64
import binascii

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from lms.admin.forms import (
    ConfirmImportForm,
    ImportForm,
    PersonForm,
    TeamForm,
    choices,
    split_lines,
)
from lms.errors import DomainError
from lms.extensions import db
from lms.forms import ActionForm
from lms.inputs import id_arg, page_arg
from lms.models import AliasKind, Role, Team, User
from lms.people.importer import COLUMNS, apply_import, plan_import
from lms.people.services import (
    PersonFields,
    TeamFields,
    create_team,
    create_user,
    deactivate_user,
    reactivate_user,
    reset_password,
    set_team_active,
    update_team,
    update_user,
)
from lms.people.sso import logs_in_through_sso_only
from lms.security import role_required

bp = Blueprint("admin", __name__)


@bp.before_request
@role_required(Role.ADMIN)
def require_admin() -> None:
    """Every admin page needs the admin role; checked once for the whole blueprint."""


# Services name what a rule is about; the forms call some of those fields by their id column.
FIELD_ALIASES = {"manager": "manager_id", "team": "team_id", "parent": "parent_id",
                 "managers": "manager_ids"}


def _form_error(form, exc: DomainError) -> None:  # noqa: ANN001
    name = FIELD_ALIASES.get(exc.field or "", exc.field)
    field = getattr(form, name, None) if name else None
    if field is not None:
        field.errors = [*field.errors, exc.message]
    else:
        flash(exc.message, "error")


# People ---------------------------------------------------------------------------------------

@bp.route("/")
def index():  # noqa: ANN201
    return redirect(url_for("admin.users"))


@bp.route("/people")
def users():  # noqa: ANN201
    q = request.args.get("q", "").strip()
    role = request.args.get("role", "")
    team_id = id_arg("team")
    status = request.args.get("status", "active")
    query = select(User).outerjoin(User.team).order_by(func.lower(User.name))
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(func.lower(User.name).like(like), User.email.like(like)))
    if role in {r.value for r in Role}:
        query = query.where(User.role == role)
    if team_id:
        query = query.where(User.team_id == team_id)
    if status in ("active", "inactive"):
        query = query.where(User.active.is_(status == "active"))
    page = db.paginate(query, page=page_arg(), per_page=50, error_out=False)
    teams = db.session.scalars(select(Team).order_by(Team.name)).all()
    return render_template("admin/users.html", page=page, teams=teams, roles=list(Role),
                           filters={"q": q, "role": role, "team": team_id, "status": status})


def _person_choices(form: PersonForm, user: User | None = None) -> None:
    teams = db.session.scalars(select(Team).order_by(Team.name)).all()
    form.team_id.choices = choices([(0, _("— No team —"))] + [
        (t.id, t.name if t.active else _("%(team)s (archived)", team=t.name)) for t in teams
        if t.active or (user is not None and user.team_id == t.id)
    ])
    managers = db.session.scalars(
        select(User).where(User.role.in_([Role.MANAGER.value, Role.ADMIN.value]),
                           User.active.is_(True)).order_by(User.name)
    ).all()
    form.manager_id.choices = choices([(0, _("— No manager —"))] + [
        (m.id, f"{m.name} ({m.email})") for m in managers if user is None or m.id != user.id
    ])


def _person_fields(form: PersonForm) -> PersonFields:
    return PersonFields(
        email=form.email.data or "",
        name=form.name.data or "",
        role=Role(form.role.data),
        team=db.session.get(Team, form.team_id.data) if form.team_id.data else None,
        manager=db.session.get(User, form.manager_id.data) if form.manager_id.data else None,
        hire_date=form.hire_date.data,
        crm_ids=split_lines(form.crm_ids.data),
        crm_names=split_lines(form.crm_names.data),
    )


@bp.route("/people/new", methods=["GET", "POST"])
def new_user():  # noqa: ANN201
    form = PersonForm()
    _person_choices(form)
    if form.validate_on_submit():
        try:
            user, temp = create_user(_person_fields(form))
        except DomainError as exc:
            db.session.rollback()
            _form_error(form, exc)
        else:
            db.session.commit()
            # Rendered, not flashed: a flashed message would sit in the (readable) session cookie.
            return _temporary_password_page(user, temp, created=True)
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/people/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):  # noqa: ANN201
    user = db.get_or_404(User, user_id)
    form = PersonForm(obj=user) if request.method == "GET" else PersonForm()
    _person_choices(form, user)
    if request.method == "GET":
        form.team_id.data = user.team_id or 0
        form.manager_id.data = user.manager_id or 0
        form.crm_ids.data = "\n".join(user.alias_values(AliasKind.CRM_ID))
        form.crm_names.data = "\n".join(user.alias_values(AliasKind.CRM_NAME))
    if form.validate_on_submit():
        try:
            update_user(user, _person_fields(form), acting=current_user)
        except DomainError as exc:
            db.session.rollback()
            _form_error(form, exc)
        else:
            db.session.commit()
            flash(_("Saved %(name)s.", name=user.name), "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template("admin/user_form.html", form=form, user=user, action=ActionForm(),
                           sso_only=logs_in_through_sso_only(user))


def _user_action(user_id: int, action, message):  # noqa: ANN001, ANN202
    """``message(name)``: the sentence to flash once ``action(user)`` worked."""
    user = db.get_or_404(User, user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        action(user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(message(user.name), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/people/<int:user_id>/deactivate", methods=["POST"])
def deactivate(user_id: int):  # noqa: ANN201
    return _user_action(user_id, lambda u: deactivate_user(u, acting=current_user),
                        lambda name: _("%(name)s can no longer log in, and their API tokens "
                                       "are revoked. Their history is kept.", name=name))


@bp.route("/people/<int:user_id>/reactivate", methods=["POST"])
def reactivate(user_id: int):  # noqa: ANN201
    return _user_action(user_id, reactivate_user,
                        lambda name: _("%(name)s can log in again.", name=name))


@bp.route("/people/<int:user_id>/reset-password", methods=["POST"])
def reset_user_password(user_id: int):  # noqa: ANN201
    user = db.get_or_404(User, user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    temp = reset_password(user)
    db.session.commit()
    return _temporary_password_page(user, temp, created=False)


def _temporary_password_page(user: User, password: str, *, created: bool) -> str:
    # Someone who can only log in through single sign-on is told so, not given a password
    # they cannot use.
    return render_template("admin/temporary_password.html", user=user, password=password,
                           created=created, sso_only=logs_in_through_sso_only(user),
                           provider=current_app.config["OIDC_NAME"])


# Teams ----------------------------------------------------------------------------------------

@bp.route("/teams")
def teams():  # noqa: ANN201
    counts = dict(db.session.execute(
        select(User.team_id, func.count()).where(User.active.is_(True)).group_by(User.team_id)
    ).all())
    all_teams = db.session.scalars(select(Team).options(selectinload(Team.managers))
                                   .order_by(Team.active.desc(), Team.name)).all()
    return render_template("admin/teams.html", teams=all_teams, counts=counts,
                           action=ActionForm())


def _team_choices(form: TeamForm, team: Team | None = None) -> None:
    teams = db.session.scalars(select(Team).where(Team.active.is_(True)).order_by(Team.name))
    form.parent_id.choices = choices([(0, _("— None (top level) —"))] + [
        (t.id, t.name) for t in teams if team is None or t.id != team.id
    ])
    managers = db.session.scalars(
        select(User).where(User.role.in_([Role.MANAGER.value, Role.ADMIN.value]),
                           User.active.is_(True)).order_by(User.name)
    )
    form.manager_ids.choices = choices((m.id, f"{m.name} ({m.email})") for m in managers)


def _team_fields(form: TeamForm) -> TeamFields:
    ids = form.manager_ids.data or []
    managers = db.session.scalars(select(User).where(User.id.in_(ids))).all() if ids else []
    return TeamFields(
        name=form.name.data or "",
        description=form.description.data or "",
        parent=db.session.get(Team, form.parent_id.data) if form.parent_id.data else None,
        managers=managers,
    )


@bp.route("/teams/new", methods=["GET", "POST"])
def new_team():  # noqa: ANN201
    form = TeamForm()
    _team_choices(form)
    if form.validate_on_submit():
        try:
            team = create_team(_team_fields(form))
        except DomainError as exc:
            db.session.rollback()
            _form_error(form, exc)
        else:
            db.session.commit()
            flash(_("%(team)s created.", team=team.name), "success")
            return redirect(url_for("admin.teams"))
    return render_template("admin/team_form.html", form=form, team=None)


@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
def edit_team(team_id: int):  # noqa: ANN201
    team = db.get_or_404(Team, team_id)
    form = TeamForm(obj=team) if request.method == "GET" else TeamForm()
    _team_choices(form, team)
    if request.method == "GET":
        form.parent_id.data = team.parent_id or 0
        form.manager_ids.data = [m.id for m in team.managers]
    if form.validate_on_submit():
        try:
            update_team(team, _team_fields(form))
        except DomainError as exc:
            db.session.rollback()
            _form_error(form, exc)
        else:
            db.session.commit()
            flash(_("Saved %(name)s.", name=team.name), "success")
            return redirect(url_for("admin.teams"))
    return render_template("admin/team_form.html", form=form, team=team, action=ActionForm())


@bp.route("/teams/<int:team_id>/archive", methods=["POST"])
def archive_team(team_id: int):  # noqa: ANN201
    return _team_active(team_id, False)


@bp.route("/teams/<int:team_id>/restore", methods=["POST"])
def restore_team(team_id: int):  # noqa: ANN201
    return _team_active(team_id, True)


def _team_active(team_id: int, active: bool):  # noqa: ANN202
    team = db.get_or_404(Team, team_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    set_team_active(team, active)
    db.session.commit()
    flash(_("%(team)s is active again.", team=team.name) if active
          else _("%(team)s is archived.", team=team.name), "success")
    return redirect(url_for("admin.teams"))


# Import ---------------------------------------------------------------------------------------

@bp.route("/people/import", methods=["GET", "POST"])
def import_people():  # noqa: ANN201
    form = ImportForm()
    if form.validate_on_submit():
        data = form.file.data.read()
        filename = form.file.data.filename or "upload.csv"
        plan = plan_import(data, filename=filename,
                           update_existing=bool(form.update_existing.data))
        confirm = None
        if plan.ok:
            confirm = ConfirmImportForm(formdata=None, payload=base64.b64encode(data).decode(),
                                        filename=filename,
                                        update_existing="1" if form.update_existing.data else "")
        return render_template("admin/import_preview.html", plan=plan, confirm=confirm)
    return render_template("admin/import.html", form=form, columns=COLUMNS)


@bp.route("/people/import/confirm", methods=["POST"])
def confirm_import():  # noqa: ANN201
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        data = base64.b64decode(form.payload.data or "", validate=True)
    except (binascii.Error, ValueError):
        abort(400)
    # Checked again: the database may have changed since the preview.
    plan = plan_import(data, filename=form.filename.data or "upload.csv",
                       update_existing=bool(form.update_existing.data))
    if not plan.ok:
        return render_template("admin/import_preview.html", plan=plan, confirm=None)
    try:
        result = apply_import(plan)
    except DomainError as exc:
        db.session.rollback()
        flash(_("Nothing was imported: %(problem)s", problem=exc.message), "error")
        return redirect(url_for("admin.import_people"))
    db.session.commit()
    return render_template("admin/import_done.html", result=result)
