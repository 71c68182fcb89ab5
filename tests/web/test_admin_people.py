"""Admins create, edit, deactivate and reactivate people and teams in the browser."""

from __future__ import annotations

import re

from sqlalchemy import select

from lms.extensions import db
from lms.models import AliasKind, Role, Team, User
from tests.conftest import login, post_form
from tests.factories import make_team, make_user


def admin_client(app):  # noqa: ANN001, ANN201
    admin = make_user(Role.ADMIN, email="root@example.com", name="Root Admin")
    client = app.test_client()
    login(client, "root@example.com")
    return client, admin


def test_create_a_person_shows_a_temporary_password_that_works_once(app):
    client, _ = admin_client(app)
    manager = make_user(Role.MANAGER, name="Mia Manager")
    team = make_team("Team Noord", managers=[manager])
    response = post_form(client, "/admin/people/new", {
        "email": "Nieuw@Example.nl", "name": "  Nina   Nieuw ", "role": "learner",
        "team_id": team.id, "manager_id": manager.id, "hire_date": "2026-11-02",
        "crm_ids": "0055g001", "crm_names": "N. Nieuw\nNina Nieuw-Jansen",
    }, token_from="/admin/people/new")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Account created" in page
    temp = re.search(r'<code class="secret">([^<]+)</code>', page).group(1)

    nina = db.session.scalar(select(User).where(User.email == "nieuw@example.nl"))
    assert nina.name == "Nina Nieuw" and nina.team == team and nina.manager == manager
    assert nina.alias_values(AliasKind.CRM_NAME) == ["N. Nieuw", "Nina Nieuw-Jansen"]
    assert nina.alias_values(AliasKind.CRM_ID) == ["0055g001"]

    newcomer = app.test_client()
    response = login(newcomer, "nieuw@example.nl", temp)
    assert response.headers["Location"] == "/account/password"


def test_form_errors_are_shown_next_to_the_field(app):
    client, _ = admin_client(app)
    make_user(email="taken@example.com", name="Taken Person", crm_names=("T. Person",))
    cases = [
        ({"email": "taken@example.com", "name": "X", "role": "learner"},
         "taken@example.com already belongs to Taken Person."),
        ({"email": "not an email", "name": "X", "role": "learner"}, "not a valid email"),
        ({"email": "x@example.com", "name": "X", "role": "learner", "crm_names": "t.  person"},
         "CRM name &#39;t. person&#39; already belongs to Taken Person."),
    ]
    for data, message in cases:
        response = post_form(client, "/admin/people/new",
                             {"team_id": 0, "manager_id": 0, **data},
                             token_from="/admin/people/new")
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "x@example.com")) is None


def test_edit_a_person(app):
    client, _ = admin_client(app)
    person = make_user(email="p@example.com", name="Pim")
    response = post_form(client, f"/admin/people/{person.id}", {
        "email": "p@example.com", "name": "Pim Peters", "role": "manager",
        "team_id": 0, "manager_id": 0, "hire_date": "",
    }, token_from=f"/admin/people/{person.id}")
    assert response.status_code == 302
    person = db.session.get(User, person.id)
    assert (person.name, person.role) == ("Pim Peters", "manager")


def test_a_person_cannot_report_to_someone_who_reports_to_them(app):
    client, _ = admin_client(app)
    top = make_user(Role.MANAGER, name="Top")
    middle = make_user(Role.MANAGER, name="Middle", manager=top)
    response = post_form(client, f"/admin/people/{top.id}", {
        "email": top.email, "name": "Top", "role": "manager", "team_id": 0,
        "manager_id": middle.id}, token_from=f"/admin/people/{top.id}")
    assert "Middle reports to this person" in response.get_data(as_text=True)


def test_deactivate_and_reactivate(app):
    client, _ = admin_client(app)
    person = make_user(email="leaver@example.com")
    session = app.test_client()
    login(session, "leaver@example.com")
    assert session.get("/learn/").status_code == 200

    response = post_form(client, f"/admin/people/{person.id}/deactivate")
    assert response.status_code == 302
    assert db.session.get(User, person.id).active is False
    assert session.get("/learn/").status_code == 302  # logged out at once
    assert login(app.test_client(), "leaver@example.com").status_code == 401

    post_form(client, f"/admin/people/{person.id}/reactivate")
    assert login(app.test_client(), "leaver@example.com").status_code == 302


def test_admins_cannot_lock_themselves_out(app):
    client, admin = admin_client(app)
    response = post_form(client, f"/admin/people/{admin.id}/deactivate")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You cannot deactivate your own account." in page
    response = post_form(client, f"/admin/people/{admin.id}", {
        "email": admin.email, "name": admin.name, "role": "learner", "team_id": 0,
        "manager_id": 0}, token_from=f"/admin/people/{admin.id}")
    assert "You cannot remove your own admin role" in response.get_data(as_text=True)
    assert db.session.get(User, admin.id).role == "admin"


def test_reset_password_forces_a_new_one(app):
    client, _ = admin_client(app)
    person = make_user(email="forgot@example.com")
    response = post_form(client, f"/admin/people/{person.id}/reset-password")
    temp = re.search(r'<code class="secret">([^<]+)</code>', response.get_data(as_text=True))
    assert temp
    assert login(app.test_client(), "forgot@example.com").status_code == 401
    assert login(app.test_client(), "forgot@example.com", temp.group(1)) \
        .headers["Location"] == "/account/password"


def test_people_list_filters(app):
    client, _ = admin_client(app)
    team = make_team("Team Zuid")
    make_user(name="Zoë Zuid", team=team)
    make_user(name="Noah Noord")
    make_user(name="Gone Person", active=False)
    page = client.get(f"/admin/people?team={team.id}").get_data(as_text=True)
    assert "Zoë Zuid" in page and "Noah Noord" not in page
    page = client.get("/admin/people?q=noah").get_data(as_text=True)
    assert "Noah Noord" in page and "Zoë Zuid" not in page
    page = client.get("/admin/people?status=inactive").get_data(as_text=True)
    assert "Gone Person" in page and "Noah Noord" not in page


def test_teams_create_edit_archive(app):
    client, _ = admin_client(app)
    manager = make_user(Role.MANAGER, name="Mia Manager")
    learner = make_user(name="Luc Learner")
    response = post_form(client, "/admin/teams/new", {
        "name": "Team Randstad", "description": "Amsterdam and Utrecht", "parent_id": 0,
        "manager_ids": [manager.id]}, token_from="/admin/teams/new")
    assert response.status_code == 302
    team = db.session.scalar(select(Team).where(Team.name == "Team Randstad"))
    assert team.managers == [manager]

    response = post_form(client, "/admin/teams/new", {
        "name": "team randstad", "parent_id": 0}, token_from="/admin/teams/new")
    assert "There is already a team called Team Randstad." in response.get_data(as_text=True)
    response = post_form(client, "/admin/teams/new", {
        "name": "Bad", "parent_id": 0, "manager_ids": [learner.id]},
        token_from="/admin/teams/new")
    # Only people with the manager role are offered; anything else is refused.
    assert "not a valid choice" in response.get_data(as_text=True)
    assert db.session.scalar(select(Team).where(Team.name == "Bad")) is None

    child = make_team("Randstad Inside Sales", parent=team)
    response = post_form(client, f"/admin/teams/{team.id}", {
        "name": "Team Randstad", "parent_id": child.id, "manager_ids": [manager.id]},
        token_from=f"/admin/teams/{team.id}")
    assert "cannot report into itself or a team below it" in response.get_data(as_text=True)

    post_form(client, f"/admin/teams/{team.id}/archive", token_from="/admin/teams")
    assert db.session.get(Team, team.id).active is False
    # Archived teams leave the pickers but keep their history.
    assert ">Team Randstad</option>" not in client.get("/admin/people/new").get_data(as_text=True)
    post_form(client, f"/admin/teams/{team.id}/restore", token_from="/admin/teams")
    assert db.session.get(Team, team.id).active is True
