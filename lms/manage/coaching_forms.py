"""The coaching observation form: the common fields, and one rating field per skill of the
rubric (made per request, since the skills come from the rubric file). The service
(lms.coaching.observations) checks the values again."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from lms.coaching.observations import MAX_TEXT
from lms.coaching.rubrics import RubricView
from lms.i18n import _l
from lms.inputs import DayInRange, choice_id
from lms.models import ObservationKind


class ObservationForm(FlaskForm):
    person = SelectField(_l("Salesperson"), coerce=choice_id, default=0, validate_choice=False)
    kind = SelectField(
        _l("What you observed"), choices=[],
        invalid_choice_message=_l("Choose what you observed: a ride-along, a call review or a "
                                  "role-play."))
    observed_on = DateField(
        _l("Day of the observation"),
        validators=[InputRequired(_l("Enter the day of the observation.")), DayInRange()],
        description=_l("Today or an earlier day."))
    strengths = TextAreaField(_l("Strengths"), validators=[Length(max=MAX_TEXT)],
                              render_kw={"rows": 3},
                              description=_l("What went well and should stay."))
    improvements = TextAreaField(_l("Points to work on"), validators=[Length(max=MAX_TEXT)],
                                 render_kw={"rows": 3},
                                 description=_l("What held the conversation back."))
    next_step = TextAreaField(
        _l("Agreed next step"),
        validators=[InputRequired(_l("Enter the next step you agreed.")), Length(max=MAX_TEXT)],
        render_kw={"rows": 2},
        description=_l("It becomes a goal on the salesperson's goals, with the date below as "
                       "its deadline. The first line is its title."))
    next_step_due = DateField(
        _l("Date of the next step"),
        validators=[InputRequired(_l("Enter the date of the next step.")), DayInRange()],
        description=_l("Today or a later day."))

    #: the rating fields, in the rubric's order, with the skill each rates
    skill_fields: list[tuple[str, SelectField]]
    #: errors about the ratings as a whole ("rate at least one skill")
    rating_errors: list[str]

    def validate(self, extra_validators=None) -> bool:  # noqa: ANN001
        ok = super().validate(extra_validators)
        self.rating_errors = []
        if not any(f.data for _skill, f in self.skill_fields):
            self.rating_errors.append(_("Rate at least one skill you observed."))
            ok = False
        if not self.person.data:
            self.person.errors = [*self.person.errors, _("Choose a salesperson.")]
            ok = False
        return ok

    def ratings(self) -> dict[str, int | None]:
        return {skill: int(f.data) if f.data else None for skill, f in self.skill_fields}


def observation_form(rubric: RubricView, people: list[tuple[int, str]], **kwargs) -> \
        ObservationForm:  # noqa: ANN003
    """The form for ``rubric``, choosing among ``people`` (id, name)."""

    class Form(ObservationForm):
        pass

    for position, skill in enumerate(rubric.skills):
        choices = [SelectChoice("", _("Not observed"))] + [
            SelectChoice(str(lv.value), _("%(level)d – %(label)s", level=lv.value,
                                          label=lv.label))
            for lv in rubric.levels]
        setattr(Form, f"skill_{position}", SelectField(
            skill.name, choices=choices, default="", description=skill.description,
            invalid_choice_message=_("Rate “%(skill)s” from %(low)d to %(high)d.",
                                     skill=skill.name, low=rubric.low, high=rubric.high)))
    form = Form(**kwargs)
    form.skill_fields = [(skill.id, form[f"skill_{i}"]) for i, skill in enumerate(rubric.skills)]
    form.rating_errors = []
    form.person.choices = [SelectChoice(0, _("— Choose a salesperson —"))] + [
        SelectChoice(pid, name) for pid, name in people]
    form.kind.choices = [SelectChoice(k.value, k.label) for k in ObservationKind]
    return form
