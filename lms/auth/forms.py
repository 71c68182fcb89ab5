"""Forms for logging in, changing a password and making an API token."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length

from lms.i18n import LANGUAGES, _l


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me logged in on this device"))
    submit = SubmitField(_l("Log in"))


class LanguageForm(FlaskForm):
    #: "" follows the browser; the languages are named in their own language.
    locale = SelectField(_l("Language"), validators=[AnyOf(["", *LANGUAGES])],
                         description=_l("The language of every page and mail for you. "
                                        "“As my browser asks” follows your browser's "
                                        "setting."))
    submit = SubmitField(_l("Save language"))

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.locale.choices = [("", _l("As my browser asks")), *LANGUAGES.items()]


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=10, max=200,
                                           message=_l("Use at least 10 characters."))],
        description=_l("At least 10 characters; not your name or email address."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Change password"))


class TokenForm(FlaskForm):
    name = StringField(_l("What is it for?"), validators=[DataRequired(), Length(max=100)],
                       description=_l("For example: CRM sync, weekly readiness export."))
    expires = SelectField(_l("Expires"), default="90",
                          choices=[SelectChoice("30", _l("after 30 days")),
                                   SelectChoice("90", _l("after 90 days")),
                                   SelectChoice("365", _l("after a year")),
                                   SelectChoice("never", _l("never (until revoked)"))])
    submit = SubmitField(_l("Create token"))

    @property
    def expires_in_days(self) -> int | None:
        return None if self.expires.data == "never" else int(self.expires.data)
