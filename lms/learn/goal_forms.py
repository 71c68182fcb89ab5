"""The goal form: one form for every kind of goal, showing and requiring the fields that kind
needs. The service (lms.learning.goals) checks the values again; this form checks that what a
kind needs was filled in, so every missing field is reported at once."""

from __future__ import annotations

import math
import re

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from lms.i18n import _l
from lms.inputs import DayInRange, WholeNumberField, choice_id
from lms.learning.goals import KINDS
from lms.models import GoalKind


def kind_choices() -> list[SelectChoice]:
    """The kinds, grouped, in the language being spoken (made per form, not at import)."""
    training, performance = _("Training goals"), _("Performance goals")
    return [SelectChoice(kind.value, str(info.label),
                         optgroup=training if kind.is_training else performance)
            for kind, info in KINDS.items() if not kind.is_coaching]


#: The kind-specific fields each kind shows and requires (title, dates and note are common).
KIND_FIELDS: dict[GoalKind, tuple[str, ...]] = {
    GoalKind.COMPLETE_PATH: ("path",),
    GoalKind.COMPLETE_MODULE: ("module",),
    GoalKind.REACH_SCORE: ("module", "target"),
    GoalKind.REVENUE: ("target",),
    GoalKind.WON_DEALS: ("target",),
    GoalKind.SATISFACTION: ("target",),
    GoalKind.REPEAT_RATE: ("target",),
    GoalKind.COMPLAINTS_RESOLVED: ("target", "within_days"),
}
REQUIRED_MESSAGES = {
    "path": _l("Choose a learning path."),
    "module": _l("Choose a module."),
    "target": _l("Enter the target."),
    "within_days": _l("Enter the number of days."),
}
TARGET_HELP = {
    GoalKind.REACH_SCORE: _l("The result to reach on the module's quiz, as counted by its "
                             "grading method, in % (1 to 100)."),
    GoalKind.REVENUE: _l("Revenue from your won deals between the start date and the deadline, "
                         "in euros, e.g. 25000 or 25000,50."),
    GoalKind.WON_DEALS: _l("How many deals to win between the start date and the deadline."),
    GoalKind.SATISFACTION: _l("Average customer satisfaction over the period, in % of the top "
                              "score (e.g. 90 for 4.5 out of 5 stars)."),
    GoalKind.REPEAT_RATE: _l("Share of your customers in the period who had bought before, "
                             "in %."),
    GoalKind.COMPLAINTS_RESOLVED: _l("Share of the complaints about your customers in the "
                                     "period resolved in time, in %."),
}


class TargetField(StringField):
    """A number typed as people type it: "25000", "25.000,50", "80 %", "€ 1,250.75"."""

    raw: str | None = None

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not self.raw:
            return
        text = self.raw.replace("€", "").replace("%", "").replace(" ", "").replace("\u00a0", "")
        if re.fullmatch(r"\d{1,3}[.,]\d{3}", text):  # 12.500: twelve and a half, or thousands?
            raise ValueError(_("Write the number without a thousands separator, e.g. 12500."))
        if "," in text and "." in text:  # the last separator is the decimal one
            decimal = "," if text.rfind(",") > text.rfind(".") else "."
            text = text.replace("." if decimal == "," else ",", "").replace(",", ".")
        elif "," in text:
            text = text.replace(",", ".")
        elif text.count(".") > 1:  # 1.250.000
            text = text.replace(".", "")
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise ValueError(_("Enter a number, e.g. 80 or 25000."))
        self.data = number

    def _value(self) -> str:
        if self.raw is not None:
            return self.raw
        return "" if self.data is None else f"{self.data:g}"


class GoalForm(FlaskForm):
    kind = SelectField(
        _l("Kind of goal"), choices=[], default=GoalKind.COMPLETE_MODULE.value,
        invalid_choice_message=_l("Choose what kind of goal this is."),
        description=_l("Training goals are measured on your modules and quizzes; performance "
                       "goals on your sales."))
    title = StringField(
        _l("Title"), validators=[Optional(), Length(max=200)],
        description=_l("Leave empty to name the goal after what it measures."))
    path = SelectField(
        _l("Learning path"), coerce=choice_id, default=0, validate_choice=False,
        description=_l("The learning path to finish, with all its required modules."))
    module = SelectField(
        _l("Module"), coerce=choice_id, default=0, validate_choice=False,
        description=_l("The module to finish: read it and pass its quiz."))
    target = TargetField(_l("Target"), description=_l("The value to reach."),
                         render_kw={"inputmode": "decimal", "autocomplete": "off"})
    within_days = WholeNumberField(
        _l("Resolved within (days)"),
        validators=[Optional(), NumberRange(1, 365, _l("Enter a number of days from 1 to 365."))],
        description=_l("A complaint counts as resolved in time when it was closed within this "
                       "many days of being reported."))
    starts_on = DateField(
        _l("Start date"), validators=[Optional(), DayInRange()],
        description=_l("When you start working on it; performance goals count sales from this "
                       "day. Leave empty to start today."))
    deadline = DateField(
        _l("Deadline"), validators=[InputRequired(_l("Enter the deadline.")), DayInRange()],
        description=_l("The last day to reach the goal."))
    note = TextAreaField(
        _l("Note"), validators=[Length(max=2000)], render_kw={"rows": 3},
        description=_l("Why this goal matters to you or how you will get there. Only you see "
                       "it."))

    def __init__(self, *args, items: dict[str, list[tuple[int, str]]] | None = None,  # noqa: ANN002, ANN003
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        items = items or {}
        self.kind.choices = kind_choices()
        self.path.choices = [SelectChoice(0, _("— Choose a learning path —"))] + [
            SelectChoice(i, label) for i, label in items.get("path", [])]
        self.module.choices = [SelectChoice(0, _("— Choose a module —"))] + [
            SelectChoice(i, label) for i, label in items.get("module", [])]
        self.show_kind(self.selected_kind)

    @property
    def selected_kind(self) -> GoalKind:
        try:
            kind = GoalKind(self.kind.data)
        except ValueError:
            return GoalKind.COMPLETE_MODULE
        # A coaching next step comes from an observation, never from this form.
        return GoalKind.COMPLETE_MODULE if kind is GoalKind.COACHING_STEP else kind

    def kind_fields(self) -> list:  # noqa: ANN201 - list of fields
        """The kind-specific fields to show for the selected kind, in form order."""
        names = KIND_FIELDS[self.selected_kind]
        return [f for f in (self.path, self.module, self.target, self.within_days)
                if f.name in names]

    def show_kind(self, kind: GoalKind) -> None:
        """Label and explain the target and module for ``kind``."""
        info = KINDS[kind]
        if info.target_label:
            self.target.label.text = info.target_label
            self.target.description = TARGET_HELP[kind]
        if kind is GoalKind.REACH_SCORE:
            self.module.description = _("The module whose quiz result counts.")

    def validate(self, extra_validators=None) -> bool:  # noqa: ANN001
        ok = super().validate(extra_validators)
        if self.kind.errors:
            return False
        for field in self.kind_fields():
            empty = field.data is None or (isinstance(field, SelectField) and field.data == 0)
            if not field.errors and empty:
                field.errors = [*field.errors, str(REQUIRED_MESSAGES[field.name])]
                ok = False
        return ok
