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
from lms.inputs import DayInRange, choice_id
from lms.models import Role
from lms.people.services import normalise_email


def choices(pairs) -> list[SelectChoice]:  # noqa: ANN001 - iterable of (value, label)
    return [SelectChoice(value, label) for value, label in pairs]


ROLE_CHOICES = choices((r.value, r.label) for r in Role)


def split_lines(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").replace(",", "\n").splitlines() if part.strip()]


def valid_email(_form: FlaskForm, field: EmailField) -> None:
    """The service's own rule, checked with the other fields so every error shows at once."""
    try:
        normalise_email(field.data or "")
    except DomainError as exc:
        raise ValidationError(exc.message) from None




class PersonForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254), valid_email])
    name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.LEARNER.value)
    team_id = SelectField("Team", coerce=choice_id, default=0)
    manager_id = SelectField("Manager", coerce=choice_id, default=0)
    hire_date = DateField("Hire date", validators=[Optional(), DayInRange()])
    crm_ids = TextAreaField(
        "CRM ids", validators=[Length(max=2000)], render_kw={"rows": 2},
        description="The id of this person's user record in the CRM; one per line.",
    )
    crm_names = TextAreaField(
        "CRM names", validators=[Length(max=2000)], render_kw={"rows": 2},
        description="Names the CRM shows as the deal owner, one per line (e.g. a maiden name).",
    )
    submit = SubmitField("Save")


class TeamForm(FlaskForm):
    name = StringField("Team name", validators=[DataRequired(), Length(max=120)])
    description = TextAreaField("Description", validators=[Length(max=2000)],
                                render_kw={"rows": 3})
    parent_id = SelectField("Reports into", coerce=choice_id, default=0,
                            description="Managers of that team see this team too.")
    manager_ids = SelectMultipleField(
        "Managers", coerce=choice_id, description="Tick everyone who manages this team.",
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
    )
    submit = SubmitField("Save")


class ImportForm(FlaskForm):
    file = FileField("CSV file", validators=[
        FileRequired("Choose a CSV file."),
        FileAllowed(["csv", "txt"], "Upload a .csv file."),
    ])
    update_existing = BooleanField("Update people who already have an account")
    submit = SubmitField("Check the file")


class ConfirmImportForm(FlaskForm):
    # The checked file travels back with the confirmation and is checked again before writing,
    # so nothing is kept on the server between the two steps.
    payload = HiddenField(validators=[DataRequired()])
    filename = HiddenField(validators=[DataRequired()])
    update_existing = HiddenField()
    submit = SubmitField("Import these people")
