"""Login, logout, the account page and the home page that sends each role to its start page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from werkzeug.wrappers import Response

from lms.auth.forms import ChangePasswordForm, LanguageForm, LoginForm
from lms.config import sso_configured
from lms.errors import DomainError
from lms.extensions import db, limiter, login_account_key
from lms.i18n import browser_locale, speaking
from lms.models import Role, User
from lms.people import services as people
from lms.people.passwords import dummy_hash, verify_password
from lms.people.sessions import end_session, start_session
from lms.people.sso import logs_in_through_sso_only, password_login_for_admins_only

bp = Blueprint("auth", __name__)

START_PAGES = {
    Role.LEARNER: "learn.dashboard",
    Role.TRAINER: "author.index",
    Role.MANAGER: "manage.index",
    Role.ADMIN: "admin.users",
}
#: The longest page address ``next`` may name.
NEXT_MAX = 1000
# Pages a person who must change their password may still open.
_ALLOWED_BEFORE_NEW_PASSWORD = {"auth.change_password", "auth.logout", "static"}


def login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.before_app_request
def require_new_password():  # noqa: ANN201
    if (current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in _ALLOWED_BEFORE_NEW_PASSWORD
            and not logs_in_through_sso_only(current_user)):
        return redirect(url_for("auth.change_password"))
    return None


def safe_next(target: str | None) -> str | None:
    """Only same-site paths: an open redirect after login is a phishing tool."""
    # Longer than any page of ours: it would overfill the session cookie (single sign-on).
    if not target or len(target) > NEXT_MAX:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    # Browsers read "/\evil.example" as "//evil.example", and drop tabs and newlines first.
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return None
    return target


@bp.route("/")
@login_required
def index():  # noqa: ANN201
    return redirect(url_for(START_PAGES[current_user.role_enum]))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@limiter.limit(login_limit, methods=["POST"], key_func=login_account_key)
def login():  # noqa: ANN201
    if current_user.is_authenticated:
        return redirect(url_for("auth.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = people.find_user_by_email(form.email.data or "")
        password_ok = verify_password(user.password_hash if user else dummy_hash(),
                                      form.password.data or "")
        if password_login_for_admins_only() and (
                user is None or not password_ok or not user.has_role(Role.ADMIN)):
            # One answer whatever the password: a right one must not be confirmed for an
            # account that cannot use it (people reuse passwords), nor an admin's email shown.
            flash(_("Log in with %(provider)s (the button above): here, only administrators "
                    "log in with a password, and this is not an administrator's email address "
                    "and password.", provider=current_app.config["OIDC_NAME"]), "error")
        elif user is None or not password_ok:
            flash(_("The email address or password is not correct."), "error")
        elif not user.active:
            flash(_("This account has been deactivated. Ask your manager or an administrator."),
                  "error")
        else:
            return finish_login(user, remember=bool(form.remember.data),
                                next_url=safe_next(request.args.get("next")))
        return _login_page(form), 401
    return _login_page(form)


def _login_page(form: LoginForm) -> str:
    return render_template(
        "auth/login.html", form=form,
        sso_provider=current_app.config["OIDC_NAME"] if sso_configured(current_app.config)
        else None,
        admins_only=password_login_for_admins_only())


def finish_login(user: User, *, remember: bool, next_url: str | None) -> Response:
    """Log ``user`` in and send them on: the end of the password and the SSO login alike."""
    # A new session at login: nothing from before the login survives (session fixation).
    session.clear()
    start_session(user, remember=remember)
    people.record_login(user)
    db.session.commit()
    if user.must_change_password:
        flash(_("Welcome! Choose your own password before you continue."), "info")
        return redirect(url_for("auth.change_password"))
    return redirect(next_url or url_for("auth.index"))


@bp.route("/logout", methods=["POST"])
@login_required
def logout():  # noqa: ANN201
    # Ends this login on the server: a copy of this browser's cookies is worthless from now on.
    end_session(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have been logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account")
@login_required
def account():  # noqa: ANN201
    from lms.boosters.cards import paused_until
    from lms.boosters.mail import mail_on
    from lms.clock import local_today
    from lms.forms import ActionForm
    from lms.learn.booster_forms import BoosterMailForm, PauseForm

    return render_template("auth/account.html", form=ChangePasswordForm(),
                           language_form=LanguageForm(locale=current_user.locale or ""),
                           pause_form=PauseForm(), action=ActionForm(),
                           mail_form=BoosterMailForm(mail=mail_on(current_user.id)),
                           sso_only=logs_in_through_sso_only(current_user),
                           provider=current_app.config["OIDC_NAME"],
                           boosters_paused=paused_until(current_user.id, local_today()))


@bp.route("/account/language", methods=["POST"])
@login_required
def change_language():  # noqa: ANN201
    form = LanguageForm()
    if not form.validate_on_submit():
        flash(_("Choose one of the languages offered."), "error")
        return redirect(url_for("auth.account"))
    current_user.locale = form.locale.data or None
    db.session.commit()
    # Said in the language just chosen: it is the one the next page speaks.
    with speaking(form.locale.data or browser_locale()):
        flash(_("Your language is saved."), "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():  # noqa: ANN201
    if logs_in_through_sso_only(current_user):
        # A password they can never log in with would only be one more to reuse elsewhere.
        return render_template("auth/change_password.html", form=None, forced=False,
                               provider=current_app.config["OIDC_NAME"])
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            people.change_password(user, form.current_password.data or "",
                                   form.new_password.data or "")
        except DomainError as exc:
            db.session.rollback()
            field = getattr(form, exc.field, None) if exc.field else None
            if field is not None:
                field.errors.append(exc.message)
            else:
                flash(exc.message, "error")
        else:
            # The new password ended every login: log this browser in again under a new one.
            cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
            start_session(user, remember=cookie in request.cookies)
            db.session.commit()
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("auth.index"))
    return render_template("auth/change_password.html", form=form,
                           forced=current_user.must_change_password)

