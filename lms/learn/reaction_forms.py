"""The three reaction questions and the comment (the service, lms.learning.reactions, checks
the values again)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from lms.i18n import _l
from lms.inputs import choice_id
from lms.models.reactions import COMMENT_MAX

SCORE_MESSAGE = _l("Choose a score from 1 to 5.")


class ScoreField(RadioField):
    """1 to 5; anything else (0, 6, text, nothing) is one clear error, not WTForms' own."""

    def __init__(self, label: Any, **kwargs: Any) -> None:
        super().__init__(label, choices=[SelectChoice(n, str(n)) for n in range(1, 6)],
                         coerce=choice_id,
                         validators=[InputRequired(message=SCORE_MESSAGE)], **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None

    def pre_validate(self, form: Any) -> None:
        # Nothing given is InputRequired's to report, once.
        if self.raw_data and self.raw_data[0] and self.data not in range(1, 6):
            raise ValidationError(str(SCORE_MESSAGE))


class ReactionForm(FlaskForm):
    useful = ScoreField(_l("Useful for my work"))
    clear = ScoreField(_l("Clear"))
    recommend = ScoreField(_l("I would recommend it to a colleague"))
    comment = TextAreaField(
        _l("Comment (optional)"),
        description=_l("At most %(max)d characters. Trainers read comments without your name.",
                       max=COMMENT_MAX),
        validators=[Length(max=COMMENT_MAX,
                           message=_l("Keep the comment to %(max)d characters.",
                                      max=COMMENT_MAX))])
