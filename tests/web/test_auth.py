"""Logging in and out, remember me, password changes and the login rate limit."""

from __future__ import annotations

from lms import create_app
from lms.extensions import db, limiter
from lms.models import Role, User
from lms.people.services import deactivate_user, reset_password
from tests.conftest import PASSWORD, IsolatedClient, base_config, login, page_token, post_form
from tests.factories import make_user


def test_login_lands_on_the_start_page_of_the_role(client):
    make_user(Role.MANAGER, email="m@example.com")
    response = login(client, "M@Example.com ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").headers["Location"] == "/manage/"
    assert b"My teams" in client.get("/manage/").data


def test_wrong_password_and_unknown_email_get_the_same_answer(client):
    make_user(email="a@example.com")
    wrong = login(client, "a@example.com", "not-the-password")
    unknown = login(client, "nobody@example.com", "not-the-password")
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert b"The email address or password is not correct." in response.data
    assert client.get("/learn/").status_code == 302  # still anonymous


def test_deactivated_person_cannot_log_in(client):
    make_user(email="gone@example.com", active=False)
    response = login(client, "gone@example.com")
    assert response.status_code == 401
    assert b"This account has been deactivated" in response.data


def test_deactivation_ends_an_open_session(app, client):
    user = make_user(email="a@example.com")
    login(client, "a@example.com")
    assert client.get("/learn/").status_code == 200
    deactivate_user(db.session.get(User, user.id), acting=make_user(Role.ADMIN))
    db.session.commit()
    assert client.get("/learn/").headers["Location"].startswith("/login")


def test_logout_needs_post_and_ends_the_session(client):
    make_user(email="a@example.com")
    login(client, "a@example.com")
    assert client.get("/logout").status_code == 405
    response = post_form(client, "/logout")
    assert response.headers["Location"] == "/login"
    assert client.get("/learn/").headers["Location"].startswith("/login")


def test_remember_me_survives_the_end_of_the_browser_session(app):
    make_user(email="a@example.com")
    browser = app.test_client()
    login(browser, "a@example.com", remember=True)
    remember = browser.get_cookie("remember_token")
    assert remember is not None and remember.expires is not None
    # A browser restart drops the session cookie but keeps the remember cookie.
    browser.delete_cookie("session")
    assert browser.get("/learn/").status_code == 200

    forgetful = app.test_client()
    login(forgetful, "a@example.com")
    assert forgetful.get_cookie("remember_token") is None
    forgetful.delete_cookie("session")
    assert forgetful.get("/learn/").status_code == 302


def test_session_cookie_flags(client):
    make_user(email="a@example.com")
    response = login(client, "a@example.com", remember=True)
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    remember_cookie = next(c for c in cookies if c.startswith("remember_token="))
    assert "HttpOnly" in remember_cookie


def test_session_is_renewed_at_login(client):
    make_user(email="a@example.com")
    client.get("/login")
    client.set_cookie("session", "planted-by-an-attacker")
    login(client, "a@example.com")
    assert client.get_cookie("session").value != "planted-by-an-attacker"


def test_next_parameter_is_followed_only_within_the_site(client):
    make_user(Role.ADMIN, email="a@example.com")
    token = page_token(client)
    data = {"email": "a@example.com", "password": PASSWORD, "csrf_token": token}
    response = client.post("/login?next=/admin/teams", data=data)
    assert response.headers["Location"] == "/admin/teams"
    post_form(client, "/logout")
    data["csrf_token"] = page_token(client)
    response = client.post("/login?next=https://evil.example/phish", data=data)
    assert response.headers["Location"] == "/"


def test_change_password(client):
    make_user(email="a@example.com")
    login(client, "a@example.com")
    response = post_form(client, "/account/password", {
        "current_password": PASSWORD, "new_password": "a-much-better-secret",
        "confirm": "a-much-better-secret"})
    assert response.status_code == 302
    post_form(client, "/logout")
    assert login(client, "a@example.com", PASSWORD).status_code == 401
    assert login(client, "a@example.com", "a-much-better-secret").status_code == 302


def test_change_password_explains_what_is_wrong(client):
    make_user(email="a@example.com")
    login(client, "a@example.com")
    cases = [
        ({"current_password": "wrong", "new_password": "a-much-better-secret",
          "confirm": "a-much-better-secret"}, "Your current password is not correct."),
        ({"current_password": PASSWORD, "new_password": "short", "confirm": "short"},
         "Use at least 10 characters."),
        ({"current_password": PASSWORD, "new_password": "a-much-better-secret",
          "confirm": "something-else-entirely"}, "The passwords differ."),
        ({"current_password": PASSWORD, "new_password": "password123",
          "confirm": "password123"}, "too easy to guess"),
    ]
    for data, message in cases:
        response = post_form(client, "/account/password", data)
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)


def test_changing_the_password_logs_out_other_devices(app):
    make_user(email="a@example.com")
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, "a@example.com")
    login(phone, "a@example.com", remember=True)
    post_form(laptop, "/account/password", {
        "current_password": PASSWORD, "new_password": "a-much-better-secret",
        "confirm": "a-much-better-secret"})
    assert laptop.get("/learn/").status_code == 200
    assert phone.get("/learn/").status_code == 302


def test_temporary_password_must_be_changed_at_first_login(client):
    user = make_user(email="new@example.com")
    temp = reset_password(user)
    db.session.commit()
    response = login(client, "new@example.com", temp)
    assert response.headers["Location"] == "/account/password"
    # Every other page sends them back until they have chosen a password.
    for url in ("/", "/learn/", "/account"):
        assert client.get(url).headers["Location"] == "/account/password"
    page = client.get("/account/password").get_data(as_text=True)
    assert "Choose your own password" in page
    post_form(client, "/account/password", {
        "current_password": temp, "new_password": "my-own-secret-42",
        "confirm": "my-own-secret-42"}, token_from="/account/password")
    assert client.get("/learn/").status_code == 200
    assert db.session.get(User, user.id).must_change_password is False


def test_login_is_rate_limited_per_address_and_per_account(database_url, tmp_path):
    config = {**base_config(tmp_path, database_url), "RATELIMIT_ENABLED": True}
    app = create_app(config)
    app.test_client_class = IsolatedClient
    client = app.test_client()
    with app.app_context():
        limiter.reset()
        make_user(email="a@example.com")
        token = page_token(client)
        statuses = [
            client.post("/login", data={"email": "a@example.com", "password": "guess",
                                        "csrf_token": token}).status_code
            for _ in range(11)
        ]
        assert statuses[:10] == [401] * 10
        assert statuses[10] == 429
        assert b"Too many attempts" in client.post(
            "/login", data={"email": "a@example.com", "password": PASSWORD,
                            "csrf_token": token}).data

        # Another address guessing at the same account is stopped by the per-account limit.
        other = app.test_client()
        other_token = page_token(other)
        response = other.post("/login", data={"email": "a@example.com", "password": "guess",
                                              "csrf_token": other_token},
                              environ_base={"REMOTE_ADDR": "10.0.0.9"})
        assert response.status_code == 429
        # ... while that address can still log into another account.
        make_user(email="b@example.com")
        response = other.post("/login", data={"email": "b@example.com", "password": PASSWORD,
                                              "csrf_token": other_token},
                              environ_base={"REMOTE_ADDR": "10.0.0.9"})
        assert response.status_code == 302
        limiter.reset()
        db.session.remove()
        db.engine.dispose()
