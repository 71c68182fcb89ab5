"""Single sign-on through a stand-in OpenID Connect provider (tests/oidc_standin.py), over real
HTTP: the app fetches discovery, keys and tokens from it; the test plays the browser's part at
the provider with ``requests`` and brings the answer back to the app's callback."""

from __future__ import annotations

import html
import secrets
import socket
from contextlib import contextmanager
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from sqlalchemy import select

from lms import create_app
from lms.extensions import db
from lms.models import LoginSession, Role, User
from tests.conftest import PASSWORD, IsolatedClient, base_config, page_token
from tests.factories import make_user
from tests.oidc_standin import StandInIdP

START = "/login/sso/"


@pytest.fixture
def idp():
    with StandInIdP() as provider:
        yield provider


@contextmanager
def app_with(database_url, tmp_path, **config):  # noqa: ANN001, ANN003, ANN202
    """An app with these settings, in its app context; its connections closed afterwards."""
    app = create_app({**base_config(tmp_path, database_url), **config})
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(database_url, tmp_path, idp):  # noqa: ANN001, ANN201
    with app_with(database_url, tmp_path, **idp.app_config()) as app:
        yield app


def at_provider(client, start: str = START):  # noqa: ANN001, ANN201
    """Start a sign-in and let the provider answer: the URL it sends the browser back to."""
    started = client.get(start)
    assert started.status_code == 302, started.get_data(as_text=True)
    answer = requests.get(started.headers["Location"], allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    return f"{back.path}?{back.query}"


def sso_login(client, start: str = START):  # noqa: ANN001, ANN201
    return client.get(at_provider(client, start))


def logged_in(client) -> bool:  # noqa: ANN001
    return client.get("/learn/").status_code == 200


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def test_the_login_page_offers_the_provider_only_when_configured(app, client, database_url,
                                                                 tmp_path):
    page = client.get("/login").get_data(as_text=True)
    assert "Log in with Acme" in page and 'href="/login/sso/"' in page
    with app_with(database_url, tmp_path / "plain") as plain_app:
        plain = plain_app.test_client()
        assert "Log in with" not in plain.get("/login").get_data(as_text=True)
        assert plain.get(START).status_code == 404


def test_the_provider_is_asked_for_a_code_with_pkce_state_and_nonce(app, client):
    location = client.get(START).headers["Location"]
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert location.startswith(app.config["OIDC_ISSUER"] + "/authorize?")
    assert query["response_type"] == "code" and query["client_id"] == "verkoopklaar"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert query["state"] and query["nonce"]
    assert set(query["scope"].split()) == {"openid", "email", "profile"}
    assert query["redirect_uri"] == "http://localhost/login/sso/callback"


def test_a_person_with_a_verified_email_logs_in_and_keeps_their_subject(app, client, idp):
    sam = make_user(Role.LEARNER, email="sam@example.com")
    response = sso_login(client)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").headers["Location"] == "/learn/"
    assert logged_in(client)
    sam = db.session.get(User, sam.id)
    assert sam.oidc_subject == "idp-sub-1" and sam.last_login_at is not None
    # A login like the password's: a server-side session that logging out ends.
    assert db.session.scalar(select(LoginSession).where(LoginSession.user_id == sam.id))
    assert ("/token", 200) in idp.requests


@pytest.mark.parametrize(("failure", "reason"), [
    ("wrong-nonce", "it belongs to another sign-in"),
    ("expired", "it had expired"),
    ("wrong-audience", "it was issued for another application"),
    ("wrong-issuer", "it was issued by another identity provider"),
    ("bad-signature", "its signature is not valid"),
])
def test_an_id_token_that_fails_verification_is_refused(app, client, idp, failure, reason):
    make_user(Role.LEARNER, email="sam@example.com")
    idp.fail_next(failure)
    response = sso_login(client)
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page
    assert "The answer from Acme was refused: " + reason in page
    assert 'href="/login"' in page
    assert not logged_in(client)
    assert user("sam@example.com").oidc_subject is None
    # The next, well-behaved sign-in works.
    assert sso_login(client).status_code == 302 and logged_in(client)


def test_the_person_saying_no_at_the_provider_gets_a_page_saying_so(app, client, idp):
    idp.fail_next("deny")
    response = sso_login(client)
    assert response.status_code == 403
    assert "The sign-in at Acme was cancelled" in response.get_data(as_text=True)


def test_a_callback_without_the_sign_in_this_browser_started_is_refused(app, client, idp):
    make_user(Role.LEARNER, email="sam@example.com")
    callback = at_provider(client)
    # Another browser (an attacker's link, or a copied URL) has no state for it.
    stranger = app.test_client()
    response = stranger.get(callback)
    assert response.status_code == 400
    assert "This sign-in was not started here" in response.get_data(as_text=True)
    assert not logged_in(stranger)
    assert client.get("/login/sso/callback?code=x").status_code == 400  # no state at all
    # The browser that started it gets in; its state is used up, so the answer works once.
    assert client.get(callback).status_code == 302 and logged_in(client)
    assert client.get(callback).status_code == 400


def test_no_id_token_is_refused(app, client, idp):
    make_user(Role.LEARNER, email="sam@example.com")
    idp.fail_next("no-id-token")
    response = sso_login(client)
    assert response.status_code == 400
    assert "Acme did not send an identity" in response.get_data(as_text=True)


def test_a_failing_token_endpoint_gets_a_clear_page(app, client, idp):
    make_user(Role.LEARNER, email="sam@example.com")
    idp.fail_next("token-500")
    response = sso_login(client)
    assert response.status_code == 502
    assert "did not answer properly" in response.get_data(as_text=True)
    assert not logged_in(client)


def test_a_wrong_client_secret_gets_a_clear_page(database_url, tmp_path, idp):
    with app_with(database_url, tmp_path, **idp.app_config(OIDC_CLIENT_SECRET="wrong")) as app:
        make_user(Role.LEARNER, email="sam@example.com")
        client = app.test_client()
        response = sso_login(client)
        assert response.status_code == 400
        assert "Acme refused to complete the sign-in" in response.get_data(as_text=True)
        assert ("/token", 401) in idp.requests
        assert not logged_in(client)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_provider_gets_a_clear_page(database_url, tmp_path):
    with app_with(database_url, tmp_path, OIDC_ISSUER=f"http://127.0.0.1:{_closed_port()}",
                  OIDC_CLIENT_ID="verkoopklaar", OIDC_CLIENT_SECRET="x",
                  OIDC_NAME="Acme") as app:
        response = app.test_client().get(START)
        assert response.status_code == 502
        page = html.unescape(response.get_data(as_text=True))
        assert "Acme's sign-in service cannot be reached" in page and 'href="/login"' in page


def test_a_provider_gone_before_the_answer_returns_gets_a_clear_page(app, client, idp):
    make_user(Role.LEARNER, email="sam@example.com")
    callback = at_provider(client)
    idp.__exit__()
    response = client.get(callback)
    assert response.status_code == 502
    assert "cannot be reached" in response.get_data(as_text=True)


@pytest.mark.parametrize(("next_url", "lands_on"), [
    ("/learn/results/", "/learn/results/"),
    ("//evil.example/", "/"),
    ("https://evil.example/", "/"),
])
def test_the_sign_in_returns_to_a_same_site_page_only(app, client, idp, next_url, lands_on):
    make_user(Role.LEARNER, email="sam@example.com")
    response = sso_login(client, f"{START}?next={next_url}")
    assert response.headers["Location"] == lands_on


def test_the_login_page_passes_the_page_asked_for_to_the_sign_in(app, client):
    page = client.get("/login?next=/learn/results/").get_data(as_text=True)
    assert 'href="/login/sso/?next=/learn/results/"' in page


def form_token(client) -> str:  # noqa: ANN001
    from tests.conftest import page_token

    return page_token(client, "/account")


def test_the_way_back_from_the_provider_is_rate_limited_like_the_login_form(database_url,
                                                                            tmp_path, idp):
    with app_with(database_url, tmp_path, RATELIMIT_ENABLED=True,
                  LOGIN_RATE_LIMIT="2 per minute", **idp.app_config()) as app:
        make_user(Role.LEARNER, email="sam@example.com")
        # Sign-ins that succeed do not count: a whole office behind one address gets in.
        for _person in range(3):
            office = app.test_client()
            assert sso_login(office).status_code == 302 and logged_in(office)
        client = app.test_client()
        answers = [client.get("/login/sso/callback?code=x&state=y").status_code
                   for _ in range(3)]
        assert answers == [400, 400, 429]
        assert client.get(at_provider(app.test_client())).status_code == 429


def test_a_discovery_document_for_another_issuer_is_not_used(database_url, tmp_path, idp):
    # The same server under another name: its document names 127.0.0.1, not localhost.
    other_name = idp.issuer.replace("127.0.0.1", "localhost")
    with app_with(database_url, tmp_path, **idp.app_config(OIDC_ISSUER=other_name)) as app:
        response = app.test_client().get(START)
        assert response.status_code == 502
        assert ("/.well-known/openid-configuration", 200) in idp.requests
        assert not any(path == "/authorize" for path, _status in idp.requests)


def test_the_stand_in_provider_holds_the_app_to_pkce_and_its_secret(idp):
    """The successful sign-ins above prove the app sends the right verifier and secret only if
    the stand-in refuses the wrong ones."""
    from tests.oidc_standin import s256

    def code(verifier: str) -> str:
        answer = requests.get(f"{idp.issuer}/authorize", allow_redirects=False, timeout=5,
                              params={"client_id": "verkoopklaar", "response_type": "code",
                                      "scope": "openid", "state": "s", "nonce": "n",
                                      "redirect_uri": "http://localhost/cb",
                                      "code_challenge": s256(verifier),
                                      "code_challenge_method": "S256"})
        return parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]

    def exchange(code: str, verifier: str, secret: str = "idp-secret") -> int:
        return requests.post(f"{idp.issuer}/token", auth=("verkoopklaar", secret), timeout=5,
                             data={"grant_type": "authorization_code", "code": code,
                                   "redirect_uri": "http://localhost/cb",
                                   "code_verifier": verifier}).status_code

    verifier = "v" * 43
    assert exchange(code(verifier), "w" * 43) == 400
    assert exchange(code(verifier), verifier, secret="wrong") == 401
    good = code(verifier)
    assert exchange(good, verifier) == 200
    assert exchange(good, verifier) == 400  # a code works once


@pytest.mark.parametrize("next_url", ["/\\evil.example/", "/\\/evil.example/", "/\t/evil.example/"])
def test_a_backslash_or_control_character_in_next_does_not_leave_the_site(app, client, idp,
                                                                          next_url):
    # Browsers read "/\evil.example/" as "//evil.example/", and drop tabs: another site.
    make_user(Role.LEARNER, email="sam@example.com")
    response = sso_login(client, START + "?" + urlencode({"next": next_url}))
    assert response.headers["Location"] == "/"
    client.post("/logout", data={"csrf_token": form_token(client)})
    data = {"email": "sam@example.com", "password": PASSWORD,
            "csrf_token": page_token(client, "/login")}
    password = client.post("/login?" + urlencode({"next": next_url}), data=data)
    assert password.status_code == 302 and password.headers["Location"] == "/"


def test_many_abandoned_sign_ins_do_not_outgrow_the_session_cookie(app, client, idp):
    make_user(Role.LEARNER, email="sam@example.com")
    for _attempt in range(30):  # clicked, went back, clicked again...
        assert client.get(START).status_code == 302
    assert len(client.get_cookie("session").value) < 2000
    assert sso_login(client).status_code == 302 and logged_in(client)


def test_nothing_from_the_session_before_the_sign_in_survives_it(app, client, idp):
    make_user(Role.LEARNER, email="sam@example.com")
    with client.session_transaction() as before:
        before["planted"] = "by whoever handed this browser its cookie"
    assert sso_login(client).status_code == 302 and logged_in(client)
    with client.session_transaction() as after:
        assert "planted" not in after
        assert not [key for key in after if key.startswith("_state_")]


def test_an_error_answer_is_believed_only_for_a_sign_in_this_browser_started(app, client):
    words = "Your account is locked: call +31 20 123 4567"
    crafted = client.get("/login/sso/callback?" + urlencode({"error": words, "state": "x"}))
    page = crafted.get_data(as_text=True)
    assert crafted.status_code == 400 and "This sign-in was not started here" in page
    assert "call +31" not in page
    # From the provider, for this browser's sign-in: said, but only as an error code.
    state = parse_qs(urlsplit(client.get(START).headers["Location"]).query)["state"][0]
    answer = client.get("/login/sso/callback?" + urlencode({"error": words, "state": state}))
    page = answer.get_data(as_text=True)
    assert "Acme could not sign you in (it answered: ?)" in page and "call +31" not in page
    # The sign-in is over: the same state does not work twice.
    again = client.get("/login/sso/callback?" + urlencode({"error": "server_error",
                                                          "state": state}))
    assert "This sign-in was not started here" in again.get_data(as_text=True)


def test_a_huge_next_is_dropped_rather_than_overfilling_the_session_cookie(app, client, idp):
    make_user(Role.LEARNER, email="sam@example.com")
    # Random, so that the session cookie's compression cannot shrink it.
    response = sso_login(client, START + "?" + urlencode(
        {"next": "/learn/" + secrets.token_urlsafe(4000)}))
    assert response.status_code == 302 and response.headers["Location"] == "/"
