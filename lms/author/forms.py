"""Forms for the trainer's content editor."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp

from lms.i18n import _l


class EditForm(FlaskForm):
    text = TextAreaField(_l("File text"), validators=[Length(max=500_000)],
                         render_kw={"rows": 30, "spellcheck": "false", "autocomplete": "off"})
    #: Hash of the text the editor opened; a different text on disk means someone else saved.
    base_hash = HiddenField()


class NewModuleForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        _l("File name (slug)"),
        validators=[DataRequired(), Length(max=80),
                    Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$",
                           message=_l("Use lower-case letters, digits and single hyphens."))],
        description=_l("The module's permanent name, e.g. service-contracts. It cannot change "
                       "later."),
    )
    category = SelectField(_l("Category"))
    summary = TextAreaField(_l("Summary"), validators=[DataRequired(), Length(max=400)],
                            description=_l("One or two sentences shown in lists."),
                            render_kw={"rows": 2})

    def set_categories(self, categories: tuple[str, ...]) -> None:
        self.category.choices = [SelectChoice(c, c.replace("-", " ").capitalize())
                                 for c in categories]
