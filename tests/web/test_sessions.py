"""Logins are kept on the server: logging out ends that login, wherever its cookies were copied."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import func, select, update

from lms.extensions import db
from lms.models import LoginSession, Role, User, utcnow
from lms.people.services import reset_password
from tests.conftest import login, post_form
from tests.factories import make_user


def _copy(source, target, name: str) -> None:  # noqa: ANN001 - test clients
    target.set_cookie(name, source.get_cookie(name).value)


def _sessions_of(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(LoginSession)
                             .where(LoginSession.user_id == user.id))


def test_a_copied_session_cookie_is_refused_after_logout(app):
    make_user(email="a@example.com")
    browser, thief = app.test_client(), app.test_client()
    login(browser, "a@example.com")
    _copy(browser, thief, "session")
    assert thief.get("/learn/").status_code == 200  # a copy works while the login lasts

    post_form(browser, "/logout")
    assert browser.get("/learn/").headers["Location"].startswith("/login")
    assert thief.get("/learn/").headers["Location"].startswith("/login")


def test_a_copied_remember_me_cookie_is_refused_after_logout(app):
    make_user(email="a@example.com")
    browser, thief = app.test_client(), app.test_client()
    login(browser, "a@example.com", remember=True)
    _copy(browser, thief, "remember_token")
    assert thief.get("/learn/").status_code == 200

    post_form(browser, "/logout")
    thief.delete_cookie("session")  # whatever the remember cookie gave it before
    assert thief.get("/learn/").headers["Location"].startswith("/login")


def test_logging_out_leaves_the_persons_other_logins_alone(app):
    user = make_user(email="a@example.com")
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, "a@example.com")
    login(phone, "a@example.com", remember=True)
    assert _sessions_of(user) == 2

    post_form(laptop, "/logout")
    assert laptop.get("/learn/").status_code == 302
    assert phone.get("/learn/").status_code == 200
    assert _sessions_of(user) == 1


def test_a_password_reset_ends_every_login(app):
    user = make_user(email="a@example.com")
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, "a@example.com")
    login(phone, "a@example.com", remember=True)
    reset_password(db.session.get(User, user.id))
    db.session.commit()
    assert _sessions_of(user) == 0
    for device in (laptop, phone):
        assert device.get("/learn/").headers["Location"].startswith("/login")


def test_a_password_change_keeps_this_browser_and_ends_the_others(app):
    user = make_user(email="a@example.com")
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, "a@example.com", remember=True)
    login(phone, "a@example.com")
    post_form(laptop, "/account/password", {
        "current_password": "correct-horse-battery", "new_password": "a-much-better-secret",
        "confirm": "a-much-better-secret"})
    assert _sessions_of(user) == 1
    # This browser's new login is remembered like the one it replaced.
    laptop.delete_cookie("session")
    assert laptop.get("/learn/").status_code == 200
    assert phone.get("/learn/").status_code == 302


def test_no_login_outlives_keep_me_logged_in(app):
    user = make_user(email="a@example.com")
    browser = app.test_client()
    login(browser, "a@example.com")
    record = db.session.scalar(select(LoginSession).where(LoginSession.user_id == user.id))
    days = app.config["REMEMBER_DAYS"]
    assert record.expires_at - record.created_at == timedelta(days=days)
    db.session.execute(update(LoginSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert browser.get("/learn/").headers["Location"].startswith("/login")

    # The next login anywhere clears the expired record away.
    login(app.test_client(), "a@example.com")
    assert _sessions_of(user) == 1


def test_the_database_holds_no_usable_session_key(app):
    make_user(Role.MANAGER, email="m@example.com")
    browser = app.test_client()
    login(browser, "m@example.com")
    record = db.session.scalar(select(LoginSession))
    # Flask's session cookie is signed, not encrypted: the key can be read from it.
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    user_id, _, key = serializer.loads(browser.get_cookie("session").value)["_user_id"] \
        .partition(":")
    assert int(user_id) == record.user_id
    assert hashlib.sha256(key.encode()).hexdigest() == record.key_hash != key
