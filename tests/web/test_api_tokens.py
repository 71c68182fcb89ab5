"""API tokens: each person's own on their account page, everyone's for admins, and the CLI."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, update

from lms.api.auth import create_token
from lms.extensions import db
from lms.models import ApiToken, Role, User, utcnow
from lms.people.services import deactivate_user, reactivate_user
from tests.conftest import login, post_form
from tests.factories import make_user

API = "/api/v1/reports/readiness"
MINE = "/account/tokens"


def api_status(client, plain: str) -> int:  # noqa: ANN001
    return client.get(API, headers={"Authorization": f"Bearer {plain}"}).status_code


def _row(page: str, name: str) -> str:
    """The table row of the token called ``name``."""
    match = re.search(rf"<tr>\s*<th scope=\"row\">{re.escape(name)}</th>.*?</tr>", page, re.S)
    assert match, f"no row for {name}"
    return match.group(0)


def test_a_manager_makes_a_token_sees_when_it_was_last_used_and_revokes_it(app, client):
    make_user(Role.MANAGER, email="m@example.com")
    login(client, "m@example.com")
    assert "Your API tokens" in client.get("/account").get_data(as_text=True)
    response = post_form(client, MINE, {"name": "CRM sync", "expires": "30"}, token_from=MINE)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "shown only once" in page
    plain = re.search(r'<code class="secret">(vk_[^<]+)</code>', page).group(1)

    row = _row(client.get(MINE).get_data(as_text=True), "CRM sync")
    assert 'data-label="Last used" class="nowrap">never<' in row and "Working" in row
    token = db.session.scalar(select(ApiToken))
    assert token.expires_at - token.created_at == timedelta(days=30)

    assert api_status(app.test_client(), plain) == 200
    row = _row(client.get(MINE).get_data(as_text=True), "CRM sync")
    assert 'data-label="Last used" class="nowrap">never<' not in row
    assert db.session.scalar(select(ApiToken.last_used_at)) is not None

    response = post_form(client, f"{MINE}/{token.id}/revoke", token_from=MINE)
    assert response.headers["Location"] == MINE
    assert "Revoked" in _row(client.get(MINE).get_data(as_text=True), "CRM sync")
    assert api_status(app.test_client(), plain) == 401


def test_a_token_without_expiry_and_a_bad_form(client):
    make_user(Role.MANAGER, email="m@example.com")
    login(client, "m@example.com")
    post_form(client, MINE, {"name": "Forever", "expires": "never"}, token_from=MINE)
    assert db.session.scalar(select(ApiToken.expires_at)) is None
    for data in ({"name": "", "expires": "30"}, {"name": "x", "expires": "7000"}):
        response = post_form(client, MINE, data, token_from=MINE)
        assert response.status_code == 200 and "Please correct" in response.get_data(as_text=True)
    assert len(db.session.scalars(select(ApiToken)).all()) == 1
    # Without the CSRF token nothing is made.
    assert client.post(MINE, data={"name": "x", "expires": "30"}).status_code == 400


def test_people_see_and_revoke_only_their_own_tokens(app, client):
    manager = make_user(Role.MANAGER, email="m@example.com")
    other = make_user(Role.MANAGER, email="o@example.com")
    learner = make_user(Role.LEARNER, email="l@example.com")
    theirs, their_plain = create_token(other, "Other's sync")
    create_token(learner, "Old script")
    db.session.commit()

    login(client, "m@example.com")
    assert "Other&#39;s sync" not in client.get(MINE).get_data(as_text=True)
    for token_id in (theirs.id, 999_999, 10**30):
        assert post_form(client, f"{MINE}/{token_id}/revoke", token_from=MINE).status_code == 404
    assert api_status(client, their_plain) == 200
    assert client.get("/admin/tokens/").status_code == 403
    post_form(client, "/logout")

    # A salesperson sees (and may revoke) their tokens but cannot make one: the API is not theirs.
    login(client, "l@example.com")
    page = client.get(MINE).get_data(as_text=True)
    assert "Old script" in page and "Create token" not in page
    assert post_form(client, MINE, {"name": "x", "expires": "30"}, token_from=MINE) \
        .status_code == 403
    assert len(db.session.scalars(select(ApiToken).where(ApiToken.user_id == learner.id))
               .all()) == 1
    assert db.session.scalar(select(ApiToken).where(ApiToken.user_id == manager.id)) is None


def test_admins_see_and_revoke_everyones_tokens(app, client):
    make_user(Role.ADMIN, email="admin@example.com")
    rep = make_user(Role.MANAGER, email="m@example.com", name="Mia Manager")
    live, plain = create_token(rep, "Nightly export")
    old, _ = create_token(rep, "Old export")
    old.revoked_at = utcnow()
    db.session.commit()

    login(client, "admin@example.com")
    assert "API tokens" in client.get("/admin/people").get_data(as_text=True)  # in the menu
    page = client.get("/admin/tokens/").get_data(as_text=True)
    assert "Mia Manager" in _row(page, "Nightly export") and "Old export" not in page
    page = client.get("/admin/tokens/?status=all&q=mia").get_data(as_text=True)
    assert "Revoked" in _row(page, "Old export")
    assert "Nightly export" not in client.get("/admin/tokens/?q=nobody").get_data(as_text=True)

    response = post_form(client, f"/admin/tokens/{live.id}/revoke", token_from="/admin/tokens/")
    assert response.headers["Location"] == "/admin/tokens/"
    assert api_status(client, plain) == 401
    assert post_form(client, "/admin/tokens/123456/revoke",
                     token_from="/admin/tokens/").status_code == 404
    assert client.post(f"/admin/tokens/{live.id}/revoke").status_code == 400  # no CSRF token


def test_an_expired_token_is_refused(app, client):
    manager = make_user(Role.MANAGER, email="m@example.com")
    token, plain = create_token(manager, "Short", expires_in_days=1)
    db.session.commit()
    assert api_status(client, plain) == 200
    db.session.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    assert api_status(client, plain) == 401
    login(client, "m@example.com")
    assert "Expired" in _row(client.get(MINE).get_data(as_text=True), "Short")


def test_a_deactivated_persons_token_stays_dead_after_reactivation(app, client):
    admin = make_user(Role.ADMIN, email="admin@example.com")
    manager = make_user(Role.MANAGER, email="m@example.com")
    _, plain = create_token(manager, "CRM sync")
    db.session.commit()
    assert api_status(client, plain) == 200

    deactivate_user(db.session.get(User, manager.id), acting=admin)
    db.session.commit()
    assert api_status(client, plain) == 401
    reactivate_user(db.session.get(User, manager.id))
    db.session.commit()
    assert api_status(client, plain) == 401
    # ... and the person can log in again and make a new one.
    login(client, "m@example.com")
    assert "Revoked" in _row(client.get(MINE).get_data(as_text=True), "CRM sync")
    _, fresh = create_token(db.session.get(User, manager.id), "New sync")
    db.session.commit()
    assert api_status(app.test_client(), fresh) == 200


# --- the command line ---------------------------------------------------------------------------

def test_cli_creates_lists_and_revokes_tokens(app, runner):
    make_user(Role.MANAGER, email="m@example.com")
    make_user(Role.ADMIN, email="admin@example.com")
    result = runner.invoke(args=["token", "create", "m@example.com", "--name", "CRM sync",
                                 "--expires-days", "7"])
    assert result.exit_code == 0, result.output
    plain = result.stdout.strip()
    assert plain.startswith("vk_") and "valid until" in result.stderr
    assert runner.invoke(args=["token", "create", "admin@example.com"]).exit_code == 0
    client = app.test_client()
    assert api_status(client, plain) == 200

    listing = runner.invoke(args=["token", "list"]).output
    assert "m@example.com" in listing and "admin@example.com" in listing
    line = next(row for row in listing.splitlines() if "CRM sync" in row)
    expected_expiry = (utcnow() + timedelta(days=7)).strftime("%Y-%m-%d")
    assert expected_expiry in line and line.rstrip().endswith("active")
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", line)  # last used: just now
    only_mine = runner.invoke(args=["token", "list", "--email", "M@example.com"]).output
    assert "admin@example.com" not in only_mine and "CRM sync" in only_mine

    token_id = line.split()[0]
    result = runner.invoke(args=["token", "revoke", token_id])
    assert result.exit_code == 0 and "Revoked token" in result.output
    assert api_status(client, plain) == 401
    assert runner.invoke(args=["token", "list", "--active", "--email", "m@example.com"]) \
        .output.strip() == "No API tokens."
    assert "revoked" in runner.invoke(args=["token", "list", "--email", "m@example.com"]).output


def test_cli_token_errors_are_one_line(app, runner):
    make_user(Role.MANAGER, email="m@example.com")
    cases = [
        (["token", "revoke", "4242"], "There is no API token with id 4242"),
        (["token", "list", "--email", "nobody@example.com"], "No account with email"),
        (["token", "create", "nobody@example.com"], "No active account"),
    ]
    for args, message in cases:
        result = runner.invoke(args=args)
        assert result.exit_code == 1, args
        assert result.output.count("\n") == 1 and message in result.output
    result = runner.invoke(args=["token", "create", "m@example.com", "--expires-days", "0"])
    assert result.exit_code == 2  # click's own range check
    # An id no database column can hold is refused by the argument's type, in one line.
    result = runner.invoke(args=["token", "revoke", str(10**30)])
    assert result.exit_code == 2 and "is not an id that can exist" in result.output
    assert "Traceback" not in result.output
