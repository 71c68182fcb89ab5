"""Forms for people, teams and the people import."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from lms.errors import DomainError
from lms.i18n import _l
from lms.inputs import DayInRange, choice_id
from lms.models import Role
from lms.models.people import ROLE_LABELS
from lms.people.services import normalise_email


def choices(pairs) -> list[SelectChoice]:  # noqa: ANN001 - iterable of (value, label)
    return [SelectChoice(value, label) for value, label in pairs]


# Lazy labels: read in the language of each page, not the one spoken at import.
ROLE_CHOICES = choices((r.value, ROLE_LABELS[r.value]) for r in Role)


def split_lines(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").replace(",", "\n").splitlines() if part.strip()]


def valid_email(_form: FlaskForm, field: EmailField) -> None:
    """The service's own rule, checked with the other fields so every error shows at once."""
    try:
        normalise_email(field.data or "")
    except DomainError as exc:
        raise ValidationError(exc.message) from None




class PersonForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254), valid_email])
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default=Role.LEARNER.value)
    team_id = SelectField(_l("Team"), coerce=choice_id, default=0)
    manager_id = SelectField(_l("Manager"), coerce=choice_id, default=0)
    hire_date = DateField(_l("Hire date"), validators=[Optional(), DayInRange()])
    crm_ids = TextAreaField(
        _l("CRM ids"), validators=[Length(max=2000)], render_kw={"rows": 2},
        description=_l("The id of this person's user record in the CRM; one per line."),
    )
    crm_names = TextAreaField(
        _l("CRM names"), validators=[Length(max=2000)], render_kw={"rows": 2},
        description=_l("Names the CRM shows as the deal owner, one per line (e.g. a maiden "
                       "name)."),
    )
    submit = SubmitField(_l("Save"))


class TeamForm(FlaskForm):
    name = StringField(_l("Team name"), validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Length(max=2000)],
                                render_kw={"rows": 3})
    parent_id = SelectField(_l("Reports into"), coerce=choice_id, default=0,
                            description=_l("Managers of that team see this team too."))
    manager_ids = SelectMultipleField(
        _l("Managers"), coerce=choice_id, description=_l("Tick everyone who manages this team."),
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
    )
    submit = SubmitField(_l("Save"))


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[
        FileRequired(_l("Choose a CSV file.")),
        FileAllowed(["csv", "txt"], _l("Upload a .csv file.")),
    ])
    update_existing = BooleanField(_l("Update people who already have an account"))
    submit = SubmitField(_l("Check the file"))


class ConfirmImportForm(FlaskForm):
    # The checked file travels back with the confirmation and is checked again before writing,
    # so nothing is kept on the server between the two steps.
    payload = HiddenField(validators=[DataRequired()])
    filename = HiddenField(validators=[DataRequired()])
    update_existing = HiddenField()
    submit = SubmitField(_l("Import these people"))
