"""Single sign-on: whose account a sign-in opens (matched by subject, then verified email; made
at sign-in; refused), sign-ins racing each other, and password login for admins only. The flow
itself, and the fixtures, are in test_sso.py."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.models import Role, User
from lms.people.services import PersonFields, create_user
from tests.conftest import PASSWORD, login
from tests.factories import make_team, make_user
from tests.web.test_sso import (  # noqa: F401 - app and idp are fixtures
    app,
    app_with,
    form_token,
    idp,
    logged_in,
    sso_login,
    user,
)


def test_the_stored_subject_finds_the_person_after_their_email_changed(app, client, idp):  # noqa: F811
    sam = make_user(Role.MANAGER, email="sam.old@example.com")
    sam.oidc_subject = "idp-sub-1"
    db.session.commit()
    idp.sign_in_as("idp-sub-1", "sam.new@example.com", email_verified=False)
    response = sso_login(client)
    assert response.status_code == 302
    assert client.get("/").headers["Location"] == "/manage/"


def test_an_email_linked_to_another_subject_is_refused(app, client, idp):  # noqa: F811
    sam = make_user(Role.LEARNER, email="sam@example.com")
    sam.oidc_subject = "someone-else"
    db.session.commit()
    response = sso_login(client)
    assert response.status_code == 403
    assert "is linked to another Acme identity" in response.get_data(as_text=True)
    assert not logged_in(client)
    assert user("sam@example.com").oidc_subject == "someone-else"


@pytest.mark.parametrize("how", ["claim", "misbehaviour"])
def test_an_unverified_email_finds_nobody(app, client, idp, how):  # noqa: F811
    make_user(Role.LEARNER, email="sam@example.com")
    if how == "claim":
        idp.sign_in_as("idp-sub-1", "sam@example.com", email_verified=False)
    else:
        idp.fail_next("unverified-email")
    response = sso_login(client)
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "Acme has not confirmed your email address sam@example.com" in page
    assert 'href="/login"' in page
    assert not logged_in(client)
    assert user("sam@example.com").oidc_subject is None


def test_an_unknown_person_is_refused_unless_accounts_are_made_at_sign_in(app, client, idp):  # noqa: F811
    idp.sign_in_as("idp-new", "newbie@example.com", name="New Bie")
    response = sso_login(client)
    assert response.status_code == 403
    assert "There is no account for newbie@example.com here" in response.get_data(as_text=True)
    assert user("newbie@example.com") is None


def test_without_an_email_nobody_is_found(app, client, idp):  # noqa: F811
    idp.sign_in_as("idp-new", None)
    response = sso_login(client)
    assert response.status_code == 403
    assert "did not tell us your email address" in response.get_data(as_text=True)


@pytest.mark.parametrize(("claim", "team"), [
    ("  north  ", "North"),                      # any case, stray spaces
    (["Sales NL", "Nowhere", "North"], "North"),  # a list: the first that is an active team
    ("Nowhere", None),                           # unknown: no team (teams are not made)
    ("Archived", None),                          # an archived team takes nobody new
])
def test_just_in_time_accounts_are_salespeople_in_the_claimed_team(app, client, idp, claim,  # noqa: F811
                                                                   team):
    make_team("North")
    make_team("Archived").active = False
    db.session.commit()
    app.config.update(OIDC_CREATE_USERS=True, OIDC_TEAM_CLAIM="department")
    idp.sign_in_as("idp-new", "Newbie@Example.com", given_name="New", family_name="Bie",
                   department=claim)
    response = sso_login(client)
    assert response.status_code == 302
    assert "Your account was made from your Acme sign-in" in client.get(
        "/learn/").get_data(as_text=True)
    newbie = user("newbie@example.com")
    assert (newbie.name, newbie.role, newbie.oidc_subject) == ("New Bie", "learner", "idp-new")
    assert (newbie.team.name if newbie.team else None) == team
    assert not newbie.must_change_password
    # The next sign-in finds the same account.
    client.post("/logout", data={"csrf_token": form_token(client)})
    assert sso_login(client).status_code == 302
    assert db.session.scalar(select(db.func.count()).select_from(User)) == 1


def test_an_unverified_email_makes_no_account_either(app, client, idp):  # noqa: F811
    app.config.update(OIDC_CREATE_USERS=True)
    idp.sign_in_as("idp-new", "newbie@example.com", email_verified=False)
    assert sso_login(client).status_code == 403
    assert user("newbie@example.com") is None


@pytest.mark.parametrize("linked", [False, True])
def test_a_deactivated_person_is_refused(app, client, idp, linked):  # noqa: F811
    sam = make_user(Role.LEARNER, email="sam@example.com", active=False)
    sam.oidc_subject = "idp-sub-1" if linked else None
    db.session.commit()
    response = sso_login(client)
    assert response.status_code == 403
    assert "This account has been deactivated" in response.get_data(as_text=True)
    assert not logged_in(client)
    # Not linked on the way either: reactivating the account does not pick up this identity.
    assert user("sam@example.com").oidc_subject == ("idp-sub-1" if linked else None)


def test_a_temporary_password_is_retired_by_a_sign_in(app, client):  # noqa: F811
    sam, temp = create_user(PersonFields(email="sam@example.com", name="Sam",
                                         role=Role.LEARNER))
    db.session.commit()
    assert sso_login(client).status_code == 302
    assert client.get("/learn/").status_code == 200  # not sent to "choose a password"
    client.post("/logout", data={"csrf_token": form_token(client)})
    assert login(client, "sam@example.com", temp).status_code == 401


def test_password_login_for_admins_only_points_everyone_else_at_the_provider(app, client):  # noqa: F811
    app.config["PASSWORD_LOGIN"] = "admins"
    make_user(Role.MANAGER, email="manager@example.com")
    make_user(Role.ADMIN, email="admin@example.com")
    page = client.get("/login").get_data(as_text=True)
    assert "Administrators: log in with your password" in page
    # Nobody else has a password to forget here: no "ask your manager" for one.
    assert "Ask another administrator to reset it" in page and "Ask your manager" not in page
    refusal = ("Log in with Acme (the button above): here, only administrators log in with a "
               "password, and this is not an administrator&#39;s email address and password.")
    answers = {}
    for email, password in [("manager@example.com", PASSWORD),  # right, but not an admin's
                            ("manager@example.com", "not-the-password"),
                            ("nobody@example.com", PASSWORD),
                            ("admin@example.com", "not-the-password")]:
        response = login(client, email, password)
        answers[email, password] = (response.status_code,
                                    refusal in response.get_data(as_text=True))
        assert not logged_in(client)
    # One answer for all: a right password is not confirmed for an account that cannot use it
    # (people reuse passwords), nor does the answer tell an admin's address from another.
    assert set(answers.values()) == {(401, True)}, answers
    assert login(client, "admin@example.com").status_code == 302
    assert client.get("/").headers["Location"] == "/admin/people"


def test_password_login_stays_open_to_everyone_without_single_sign_on(database_url, tmp_path):
    with app_with(database_url, tmp_path, PASSWORD_LOGIN="admins") as app:  # noqa: F811
        make_user(Role.LEARNER, email="sam@example.com")
        assert login(app.test_client(), "sam@example.com").status_code == 302


def test_an_account_can_be_unlinked_from_its_identity(app, runner, client, idp):  # noqa: F811
    sam = make_user(Role.LEARNER, email="sam@example.com")
    sam.oidc_subject = "idp-old"
    db.session.commit()
    assert sso_login(client).status_code == 403  # linked to another identity
    result = runner.invoke(args=["users", "unlink-sso", "Sam@Example.com"])
    assert result.exit_code == 0 and "no longer linked" in result.output
    assert sso_login(client).status_code == 302 and logged_in(client)
    assert user("sam@example.com").oidc_subject == "idp-sub-1"
    missing = runner.invoke(args=["users", "unlink-sso", "nobody@example.com"])
    assert missing.exit_code == 1 and "There is no account for" in missing.output


def test_an_admin_is_not_linked_by_email(app, client, idp):  # noqa: F811
    make_user(Role.ADMIN, email="sam@example.com")
    response = sso_login(client)
    assert response.status_code == 403
    assert "administrators log in with their password" in response.get_data(as_text=True)
    assert not logged_in(client) and client.get("/admin/people").status_code != 200
    assert user("sam@example.com").oidc_subject is None
    # A person linked before they became admin keeps their sign-in: the link was made on purpose.
    admin = user("sam@example.com")
    admin.oidc_subject = "idp-sub-1"
    db.session.commit()
    assert sso_login(client).status_code == 302
    assert client.get("/").headers["Location"] == "/admin/people"


def test_a_subject_too_long_to_store_is_refused_with_a_page(app, client, idp):  # noqa: F811
    make_user(Role.LEARNER, email="sam@example.com")
    idp.sign_in_as("s" * 256, "sam@example.com")
    response = sso_login(client)
    assert response.status_code == 403
    assert "sent an identity this site cannot store" in response.get_data(as_text=True)
    assert user("sam@example.com").oidc_subject is None


@pytest.mark.parametrize("lands", ["before the check", "between the check and the insert"])
def test_two_sign_ins_making_the_same_account_at_once_both_get_in(app, client, idp,  # noqa: F811
                                                                 monkeypatch, lands):
    """Two tabs (or a double click) of a newcomer: the other sign-in makes the account while
    this one is on its way; this one then finds it instead of failing."""
    from sqlalchemy.orm import Session

    from lms.people import services
    from lms.people import sso as people_sso

    app.config.update(OIDC_CREATE_USERS=True)
    idp.sign_in_as("idp-new", "newbie@example.com", name="New Bie")
    real_find = people_sso.find_user_by_email

    def other_sign_in_commits_first(email: str):  # noqa: ANN202
        with Session(db.engine) as other:
            other.add(User(email=email, name="New Bie", role=Role.LEARNER.value,
                           password_hash="x", oidc_subject="idp-new"))
            other.commit()
        return None

    monkeypatch.setattr(people_sso, "find_user_by_email", other_sign_in_commits_first)
    if lands != "before the check":
        monkeypatch.setattr(services, "find_user_by_email", lambda email: None)
    response = sso_login(client)
    assert response.status_code == 302, response.get_data(as_text=True)
    monkeypatch.setattr(people_sso, "find_user_by_email", real_find)
    assert logged_in(client)
    assert db.session.scalar(select(db.func.count()).select_from(User)) == 1


def test_two_identities_with_one_email_cannot_both_link_it(app, client, idp, monkeypatch):  # noqa: F811
    """The second identity's link, landing while the first one's is on its way, is refused
    rather than silently moving the account to it."""
    from sqlalchemy.orm import Session

    from lms.people import sso as people_sso

    sam = make_user(Role.LEARNER, email="sam@example.com")
    real_find = people_sso.find_user_by_email

    def first_identity_links_meanwhile(email: str):  # noqa: ANN202
        found = real_find(email)
        with Session(db.engine) as other:
            other.get(User, sam.id).oidc_subject = "idp-first"
            other.commit()
        return found

    monkeypatch.setattr(people_sso, "find_user_by_email", first_identity_links_meanwhile)
    response = sso_login(client)
    assert response.status_code == 403
    assert "is linked to another Acme identity" in response.get_data(as_text=True)
    db.session.expire_all()
    assert user("sam@example.com").oidc_subject == "idp-first"


def test_the_email_is_matched_in_any_case(app, client, idp):  # noqa: F811
    make_user(Role.LEARNER, email="sam@example.com")
    idp.sign_in_as("idp-sub-1", "  Sam@EXAMPLE.com ")
    assert sso_login(client).status_code == 302 and logged_in(client)
    assert user("sam@example.com").oidc_subject == "idp-sub-1"


def test_with_password_login_for_admins_only_nobody_else_is_given_or_asked_a_password(
        app, client, idp):  # noqa: F811
    """Everyone but admins logs in through the provider: their account page, the change of
    password and the admin's pages for them speak of the provider, not of a password."""
    from tests.conftest import post_form

    app.config["PASSWORD_LOGIN"] = "admins"
    make_user(Role.LEARNER, email="sam@example.com")
    admin = make_user(Role.ADMIN, email="admin@example.com")
    assert sso_login(client).status_code == 302
    account = client.get("/account").get_data(as_text=True)
    assert "You log in with Acme, so you have no password here" in account
    assert 'href="/account/password"' not in account
    page = client.get("/account/password").get_data(as_text=True)
    assert "You log in with Acme" in page and 'name="new_password"' not in page
    before = user("sam@example.com").password_hash
    client.post("/account/password", data={"csrf_token": form_token(client),
                                           "current_password": "x", "new_password": "y" * 12,
                                           "confirm": "y" * 12})
    assert user("sam@example.com").password_hash == before

    admin_client = app.test_client()
    assert login(admin_client, admin.email).status_code == 302
    sam = user("sam@example.com")
    form = admin_client.get(f"/admin/people/{sam.id}").get_data(as_text=True)
    assert "Reset password" not in form
    created = post_form(admin_client, "/admin/people/new",
                        {"name": "Noor Nieuw", "email": "noor@example.com", "role": "learner"},
                        token_from="/admin/people/new").get_data(as_text=True)
    assert "Noor Nieuw logs in with Acme, with this email address" in created
    assert "Temporary password" not in created and 'class="secret"' not in created
    # An admin still gets a password: they are the ones who may use one.
    made = post_form(admin_client, "/admin/people/new",
                     {"name": "Ada Admin", "email": "ada@example.com", "role": "admin"},
                     token_from="/admin/people/new").get_data(as_text=True)
    assert "Temporary password" in made and 'class="secret"' in made
