"""Forms of the manager's assignment pages: assign, change the due date, withdraw."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, NumberRange, Optional

from lms.clock import local_today
from lms.i18n import _l
from lms.inputs import DayInRange, WholeNumberField, choice_id

DUE_FIXED, DUE_RELATIVE, DUE_NONE = "fixed", "relative", "none"
DUE_CHOICES = [
    SelectChoice(DUE_FIXED, _l("On a fixed date")),
    SelectChoice(DUE_RELATIVE, _l("Within a number of days of the hire date")),
    SelectChoice(DUE_NONE, _l("No due date")),
]


class AssignTarget:
    """Whom and what; declared before the due date so errors are listed in page order."""

    # "team:<id>" or "user:<id>", grouped in the picker; the choices are the manager's scope.
    target = SelectField(_l("Assign to"),
                         validators=[DataRequired(_l("Choose a team or a person."))],
                         description=_l("A whole team: every salesperson in it now."))
    item_id = SelectField(_l("Learning path or module"), coerce=choice_id,
                          validators=[NumberRange(min=1, message=_l("Choose a path or module."))])


class DueDateMixin:
    """The due date, given one of three ways; ``due()`` returns what the services take."""

    due_kind = RadioField(_l("Due"), choices=DUE_CHOICES, default=DUE_FIXED)
    due_date = DateField(_l("Due date"), validators=[Optional(), DayInRange()])
    days_after_hire = WholeNumberField(
        _l("Days after the hire date"), validators=[Optional(), NumberRange(min=0, max=3650)],
        description=_l("For example 30: due within 30 days of the person's first day."),
        render_kw={"min": 0, "max": 3650, "inputmode": "numeric"})

    def validate(self, extra_validators=None) -> bool:  # noqa: ANN001
        # Which input is required depends on the choice; Optional() on both inputs stops a
        # per-field validator from running on an empty one, so the check lives here.
        ok = super().validate(extra_validators)  # type: ignore[misc]
        if self.due_kind.data == DUE_FIXED and not self.due_date.errors:
            if self.due_date.data is None:
                self.due_date.errors = [_("Give the due date.")]
            elif self.due_date.data < local_today():
                self.due_date.errors = [_("The due date is in the past.")]
        if (self.due_kind.data == DUE_RELATIVE and self.days_after_hire.data is None
                and not self.days_after_hire.errors):
            self.days_after_hire.errors = [_("Give the number of days.")]
        return ok and not self.due_date.errors and not self.days_after_hire.errors

    def due(self) -> dict[str, object]:
        if self.due_kind.data == DUE_FIXED:
            return {"due_date": self.due_date.data, "days_after_hire": None}
        if self.due_kind.data == DUE_RELATIVE:
            return {"due_date": None, "days_after_hire": self.days_after_hire.data}
        return {"due_date": None, "days_after_hire": None}


class AssignForm(AssignTarget, DueDateMixin, FlaskForm):
    submit = SubmitField(_l("Assign"))


class DueDateForm(DueDateMixin, FlaskForm):
    submit = SubmitField(_l("Save the due date"))
