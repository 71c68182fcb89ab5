"""The admin's Team chat page: each team's Teams and Slack webhooks, what they get, and how
their last messages went (lms/chat/)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from lms.admin.routes import _form_error
from lms.chat.deliver import statuses
from lms.chat.plan import SERVICES
from lms.chat.settings import WebhookFields, remove_webhook, save_webhook
from lms.errors import DomainError
from lms.extensions import db
from lms.forms import ActionForm
from lms.i18n import _l
from lms.inputs import choice_id
from lms.models import Role, Team, TeamWebhook
from lms.security import role_required

bp = Blueprint("chat", __name__)


@bp.before_request
@role_required(Role.ADMIN)
def require_admin() -> None:
    """Every team chat page needs the admin role."""


class WebhookForm(FlaskForm):
    team_id = SelectField(_l("Team"), coerce=choice_id, default=0)
    kind = SelectField(_l("Service"), choices=[SelectChoice(k, v) for k, v in SERVICES.items()],
                       validate_choice=False)
    channel = StringField(_l("Channel name"), validators=[Length(max=100)],
                          description=_l("Only for you, to tell the webhooks apart (e.g. "
                                         "#sales-north)."))
    # A password field: the address is the key to the channel, so it is never shown again
    # (not even sent back into the form after a mistake).
    url = PasswordField(_l("Webhook address"), validators=[Length(max=2000)],
                        render_kw={"autocomplete": "off", "spellcheck": "false"})
    digest = BooleanField(
        _l("Daily digest: overdue training and customers waiting, per person"),
        description=_l("Names people and what they are late with: post it to a channel only "
                       "the team's managers or leads read."))
    summary = BooleanField(
        _l("Weekly summary: who has training due in the coming week (names only)"),
        description=_l("Fit for the whole team's channel: no titles, dates or scores."))
    submit = SubmitField(_l("Save"))


@bp.route("/")
def index():  # noqa: ANN201
    hooks = db.session.execute(
        select(TeamWebhook, Team.name).join(Team, Team.id == TeamWebhook.team_id)
        .order_by(Team.name, TeamWebhook.id)).all()
    return render_template("admin/chat.html", hooks=hooks, services=SERVICES,
                           status=statuses([hook.id for hook, _name in hooks]))


def _choices(form: WebhookForm, hook: TeamWebhook | None) -> None:
    teams = db.session.scalars(select(Team).where(
        (Team.active.is_(True)) | (Team.id == (hook.team_id if hook else -1)))
        .order_by(Team.name))
    form.team_id.choices = [SelectChoice(0, _("— Choose a team —"))] + [
        SelectChoice(t.id, t.name) for t in teams]


def _save(form: WebhookForm, hook: TeamWebhook | None):  # noqa: ANN202
    fields = WebhookFields(
        team=db.session.get(Team, form.team_id.data) if form.team_id.data else None,
        kind=form.kind.data or "", channel=form.channel.data or "", url=form.url.data or None,
        digest=bool(form.digest.data), summary=bool(form.summary.data))
    try:
        saved = save_webhook(hook, fields)
    except DomainError as exc:
        db.session.rollback()
        _form_error(form, exc)
        return None
    db.session.commit()
    flash(_("Saved the webhook of %(team)s.", team=saved.team.name), "success")
    return redirect(url_for("chat.index"))


@bp.route("/new", methods=["GET", "POST"])
def new():  # noqa: ANN201
    # Nothing ticked: the digest names people and what they are late with, so the admin
    # chooses it for a channel knowingly.
    form = WebhookForm()
    _choices(form, None)
    if form.validate_on_submit() and (done := _save(form, None)) is not None:
        return done
    return render_template("admin/chat_form.html", form=form, hook=None)


@bp.route("/<int:hook_id>", methods=["GET", "POST"])
def edit(hook_id: int):  # noqa: ANN201
    hook = db.get_or_404(TeamWebhook, hook_id)
    form = WebhookForm(obj=hook) if request.method == "GET" else WebhookForm()
    _choices(form, hook)
    form.url.description = _("Leave it empty to keep the current address (%(hint)s).",
                             hint=hook.url_hint)
    if form.validate_on_submit() and (done := _save(form, hook)) is not None:
        return done
    return render_template("admin/chat_form.html", form=form, hook=hook, action=ActionForm(),
                           services=SERVICES)


@bp.route("/<int:hook_id>/remove", methods=["POST"])
def remove(hook_id: int):  # noqa: ANN201
    hook = db.get_or_404(TeamWebhook, hook_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    team = hook.team.name
    remove_webhook(hook)
    db.session.commit()
    flash(_("Removed a webhook of %(team)s.", team=team), "success")
    return redirect(url_for("chat.index"))
