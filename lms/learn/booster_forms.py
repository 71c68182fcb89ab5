"""The learner's booster forms: pausing them, and getting them by mail."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SubmitField
from wtforms.validators import InputRequired, ValidationError

from lms.clock import local_today
from lms.i18n import _l
from lms.inputs import DayInRange

#: A pause longer than this is not a holiday: ask the manager to switch boosters off.
MAX_PAUSE_DAYS = 366


class PauseForm(FlaskForm):
    until = DateField(_l("Pause boosters until"),
                      validators=[InputRequired(_l("Give the last day of your break.")),
                                  DayInRange()],
                      description=_l("No boosters up to and including this day."))
    submit = SubmitField(_l("Pause boosters"))

    def validate_until(self, field: DateField) -> None:
        if field.data is None:
            return  # not a day: the field has said so already
        today = local_today()
        if field.data < today:
            raise ValidationError(_("Choose today or a day after today."))
        if field.data > today + timedelta(days=MAX_PAUSE_DAYS):
            raise ValidationError(_("A pause can last at most a year."))


class BoosterMailForm(FlaskForm):
    mail = BooleanField(_l("Send me my boosters by mail each day"),
                        description=_l("One mail on the days boosters wait for you, with the "
                                       "first question and a link to answer it."))
    save = SubmitField(_l("Save mail setting"))
