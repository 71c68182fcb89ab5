"""The form of a rollout in waves: what, to whom, which design, and its timing."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SelectMultipleField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lms.i18n import _l
from lms.inputs import WholeNumberField, choice_id
from lms.learning.rollouts import (
    DEFAULT_WINDOW_DAYS,
    EXPLANATIONS,
    WAVES_RANGE,
    WINDOW_RANGE,
)
from lms.models.rollouts import Design


def _design_choice(design: Design) -> str:
    """A design's radio label in the reader's language: its name and what it does."""
    explanation = str(EXPLANATIONS[design])
    if design is Design.RANDOMISED:
        return _("Randomised rollout: %(explanation)s", explanation=explanation)
    return _("Staggered waves: %(explanation)s", explanation=explanation)


class RolloutForm(FlaskForm):
    item_id = SelectField(_l("Learning path or module"), coerce=choice_id,
                          validators=[NumberRange(min=1, message=_l("Choose a path or module."))])
    team_ids = SelectMultipleField(
        _l("Teams"), coerce=choice_id, validators=[DataRequired(_l("Choose at least one team."))],
        option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False),
        description=_l("Every salesperson in the teams you tick now takes part, except people "
                       "who already have this training."))
    # The choices are made per form, in the reader's language (``__init__``). NumberRange's
    # messages fill in %(min)s and %(max)s themselves.
    design = RadioField(_l("Design"), default=Design.RANDOMISED.value)
    interval_days = WholeNumberField(
        _l("Days between waves"), default=DEFAULT_WINDOW_DAYS,
        validators=[DataRequired(_l("Give the number of days.")),
                    NumberRange(*WINDOW_RANGE, message=_l("Give %(min)s to %(max)s days."))],
        description=_l("For a randomised rollout, the evaluation window: the waitlist starts "
                       "when it has passed (90 days is usual). For staggered waves, the time "
                       "from one wave to the next."),
        render_kw={"inputmode": "numeric"})
    waves = WholeNumberField(
        _l("Number of waves (staggered only)"), default=3,
        validators=[Optional(), NumberRange(*WAVES_RANGE,
                                            message=_l("Give %(min)s to %(max)s waves."))],
        render_kw={"inputmode": "numeric"})
    due_days = WholeNumberField(
        _l("Due within (days after a person's wave starts)"), default=30,
        validators=[Optional(), NumberRange(0, 3650, message=_l("Give %(min)s to %(max)s days."))],
        description=_l("Leave empty for no due date."), render_kw={"inputmode": "numeric"})
    submit = SubmitField(_l("Make the split and start the first wave"))

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.design.choices = [SelectChoice(design.value, _design_choice(design))
                               for design in (Design.RANDOMISED, Design.STAGGERED)]
