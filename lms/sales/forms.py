"""Forms of the sales upload page."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from lms.i18n import _l
from lms.sales.parsing import currency_code
from lms.sales.presets import PRESETS

CUSTOM = "custom"


def valid_currency(form: FlaskForm, field: StringField) -> None:
    try:
        currency_code(field.data or "")
    except ValueError as exc:
        raise ValidationError(_("%(problem)s.", problem=exc)) from None


class SalesUploadForm(FlaskForm):
    file = FileField(_l("CRM export (CSV)"), validators=[
        FileRequired(_l("Choose the CSV file your CRM exported.")),
        FileAllowed(["csv", "txt", "tsv"], _l("Upload a .csv file.")),
    ])
    preset = SelectField(
        _l("Where it comes from"),
        choices=[SelectChoice(p.name, p.label) for p in PRESETS.values()]
        + [SelectChoice(CUSTOM, _l("Another CRM: my own preset file (below)"))],
        default="generic",
    )
    preset_file = FileField(
        _l("Preset file (YAML)"),
        validators=[FileAllowed(["yaml", "yml"], _l("Upload a .yaml file."))],
        description=_l("Only for 'Another CRM': which column holds what; see the "
                       "documentation."),
    )
    dayfirst = SelectField(_l("Dates such as 03/01/2026"), choices=[
        SelectChoice("", _l("Detect from the file")),
        SelectChoice("day", _l("Day first (31-01-2026)")),
        SelectChoice("month", _l("Month first (01/31/2026)")),
    ], default="")
    decimal = SelectField(_l("Decimal mark in amounts"), choices=[
        SelectChoice("", _l("Detect from the file")),
        SelectChoice("comma", _l("Comma (€ 1.234,56)")),
        SelectChoice("point", _l("Point ($1,234.56)")),
    ], default="")
    satisfaction_scale = SelectField(_l("Satisfaction scores, if the file has no scale column"),
                                     choices=[SelectChoice("", _l("The file or preset says")),
                                              SelectChoice("5", _l("1 to 5")),
                                              SelectChoice("10", _l("0 to 10"))], default="")
    currency = StringField(
        _l("Currency of rows without one"), validators=[
            Optional(), valid_currency],
        description=_l("Leave empty for the preset's currency, else EUR."),
        render_kw={"maxlength": 3, "size": 4, "autocomplete": "off"},
    )
    submit = SubmitField(_l("Check the file"))

