"""Forms of the sales upload page."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from lms.sales.parsing import currency_code
from lms.sales.presets import PRESETS

CUSTOM = "custom"


def valid_currency(form: FlaskForm, field: StringField) -> None:
    try:
        currency_code(field.data or "")
    except ValueError as exc:
        raise ValidationError(f"{exc}.") from None


class SalesUploadForm(FlaskForm):
    file = FileField("CRM export (CSV)", validators=[
        FileRequired("Choose the CSV file your CRM exported."),
        FileAllowed(["csv", "txt", "tsv"], "Upload a .csv file."),
    ])
    preset = SelectField(
        "Where it comes from",
        choices=[SelectChoice(p.name, p.label) for p in PRESETS.values()]
        + [SelectChoice(CUSTOM, "Another CRM: my own preset file (below)")],
        default="generic",
    )
    preset_file = FileField(
        "Preset file (YAML)", validators=[FileAllowed(["yaml", "yml"], "Upload a .yaml file.")],
        description="Only for 'Another CRM': which column holds what; see the documentation.",
    )
    dayfirst = SelectField("Dates such as 03/01/2026", choices=[
        SelectChoice("", "Detect from the file"),
        SelectChoice("day", "Day first (31-01-2026)"),
        SelectChoice("month", "Month first (01/31/2026)"),
    ], default="")
    decimal = SelectField("Decimal mark in amounts", choices=[
        SelectChoice("", "Detect from the file"),
        SelectChoice("comma", "Comma (€ 1.234,56)"),
        SelectChoice("point", "Point ($1,234.56)"),
    ], default="")
    satisfaction_scale = SelectField("Satisfaction scores, if the file has no scale column",
                                     choices=[SelectChoice("", "The file or preset says"),
                                              SelectChoice("5", "1 to 5"),
                                              SelectChoice("10", "0 to 10")], default="")
    currency = StringField(
        "Currency of rows without one", validators=[
            Optional(), valid_currency],
        description="Leave empty for the preset's currency, else EUR.",
        render_kw={"maxlength": 3, "size": 4, "autocomplete": "off"},
    )
    submit = SubmitField("Check the file")

