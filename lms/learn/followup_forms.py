"""The form that records a follow-up made or a complaint resolved (the learner's page and the
manager's use the same). The service (lms.sales.actions) checks the date against the deal."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, TextAreaField
from wtforms.validators import InputRequired, Length

from lms.i18n import _l
from lms.inputs import DayInRange


class SaleActionForm(FlaskForm):
    done_on = DateField(
        _l("Date"), validators=[InputRequired(_l("Enter the date.")), DayInRange()],
        description=_l("The day it happened: today, or an earlier day, not before the deal "
                       "closed or the complaint was made."))
    note = TextAreaField(
        _l("Note (optional)"), validators=[Length(max=2000)], render_kw={"rows": 3},
        description=_l("What was agreed with the customer, for you and your manager."))
