"""The form of a rollout in waves: what, to whom, which design, and its timing."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SelectMultipleField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lms.inputs import WholeNumberField, choice_id
from lms.learning.rollouts import (
    DEFAULT_WINDOW_DAYS,
    EXPLANATIONS,
    WAVES_RANGE,
    WINDOW_RANGE,
)
from lms.models.rollouts import Design


class RolloutForm(FlaskForm):
    item_id = SelectField("Learning path or module", coerce=choice_id,
                          validators=[NumberRange(min=1, message="Choose a path or module.")])
    team_ids = SelectMultipleField(
        "Teams", coerce=choice_id, validators=[DataRequired("Choose at least one team.")],
        option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False),
        description="Every salesperson in the teams you tick now takes part, except people "
                    "who already have this training.")
    design = RadioField("Design", choices=[
        SelectChoice(Design.RANDOMISED.value,
                     "Randomised rollout: " + EXPLANATIONS[Design.RANDOMISED]),
        SelectChoice(Design.STAGGERED.value,
                     "Staggered waves: " + EXPLANATIONS[Design.STAGGERED]),
    ], default=Design.RANDOMISED.value)
    interval_days = WholeNumberField(
        "Days between waves", default=DEFAULT_WINDOW_DAYS,
        validators=[DataRequired("Give the number of days."),
                    NumberRange(*WINDOW_RANGE, message=f"Give {WINDOW_RANGE[0]} to "
                                                       f"{WINDOW_RANGE[1]} days.")],
        description="For a randomised rollout, the evaluation window: the waitlist starts "
                    "when it has passed (90 days is usual). For staggered waves, the time "
                    "from one wave to the next.",
        render_kw={"inputmode": "numeric"})
    waves = WholeNumberField(
        "Number of waves (staggered only)", default=3,
        validators=[Optional(), NumberRange(*WAVES_RANGE, message=f"Give {WAVES_RANGE[0]} to "
                                                                  f"{WAVES_RANGE[1]} waves.")],
        render_kw={"inputmode": "numeric"})
    due_days = WholeNumberField(
        "Due within (days after a person's wave starts)", default=30,
        validators=[Optional(), NumberRange(0, 3650, message="Give 0 to 3650 days.")],
        description="Leave empty for no due date.", render_kw={"inputmode": "numeric"})
    submit = SubmitField("Make the split and start the first wave")
