"""Organisation settings an admin changes in the browser: auto-enrolment of new hires.

Stored in the ``settings`` table (key ``auto_enrolment``), read by
``lms.learning.assignments.auto_enrol`` whenever a salesperson is created: in the admin form,
by the CSV import or with ``lms users create``.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, ValidationError

from lms.errors import DomainError
from lms.extensions import db
from lms.i18n import _l
from lms.inputs import WholeNumberField
from lms.learning.assignments import AutoEnrolment, auto_enrolment, save_auto_enrolment
from lms.learning.catalog import live_items
from lms.models import ContentKind, Role
from lms.security import role_required

bp = Blueprint("settings", __name__)


@bp.before_request
@role_required(Role.ADMIN)
def require_admin() -> None:
    """Every settings page needs the admin role."""


class AutoEnrolForm(FlaskForm):
    enabled = BooleanField(_l("Enrol every new salesperson automatically"))
    path = SelectField(_l("Learning path"), validate_choice=False)
    days_after_hire = WholeNumberField(
        _l("Due within this many days of the hire date"),
        validators=[InputRequired(_l("Give the number of days.")),
                    NumberRange(min=0, max=3650)],
        description=_l("People created without a hire date get the same number of days from "
                       "the day their account is made."),
        render_kw={"min": 0, "max": 3650, "inputmode": "numeric"})
    submit = SubmitField(_l("Save"))

    def validate_path(self, field: SelectField) -> None:
        known = {choice.value for choice in field.choices}  # type: ignore[union-attr]
        if field.data and field.data not in known:
            raise ValidationError(_("Choose one of the learning paths in the list."))
        if self.enabled.data and not field.data:
            raise ValidationError(_("Choose the learning path new salespeople get."))


@bp.route("/", methods=["GET", "POST"])
def index():  # noqa: ANN201
    current = auto_enrolment()
    form = AutoEnrolForm(data=current.as_json())
    paths = sorted(live_items(ContentKind.PATH).values(),
                   key=lambda p: p.current_version.title.lower())
    form.path.choices = [SelectChoice("", _("— Choose a path —"))] + [
        SelectChoice(p.slug, p.current_version.title) for p in paths]
    missing = current.enabled and current.path not in {p.slug for p in paths}
    if form.validate_on_submit():
        try:
            save_auto_enrolment(AutoEnrolment(enabled=bool(form.enabled.data),
                                              path=form.path.data or "",
                                              days_after_hire=form.days_after_hire.data))
        except DomainError as exc:
            db.session.rollback()
            field = getattr(form, exc.field or "", None) or form.path
            field.errors = [*field.errors, exc.message]
        else:
            db.session.commit()
            flash(_("Auto-enrolment is on.") if form.enabled.data
                  else _("Auto-enrolment is off."), "success")
            return redirect(url_for("settings.index"))
    return render_template("admin/settings.html", form=form, missing=missing, current=current)
