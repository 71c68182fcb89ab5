"""Auto-enrolment: an admin turns it on, and every salesperson created afterwards (admin form,
CSV import, ``lms users create``) gets the onboarding path with a due date after their hire."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lms.clock import local_today
from lms.extensions import db
from lms.learning.assignments import AutoEnrolment, auto_enrolment, save_auto_enrolment
from lms.learning.catalog import live_item
from lms.models import Assignment, ContentKind, Role, Setting, User
from tests.conftest import login, post_form
from tests.factories import make_user
from tests.learning_helpers import sync, write_practice

SETTINGS = "/admin/settings/"


@pytest.fixture
def admin(app, content_copy):  # noqa: ANN001, ANN201
    write_practice(content_copy)
    sync(content_copy)
    make_user(Role.ADMIN, email="root@example.com", name="Root Admin")
    client = app.test_client()
    login(client, "root@example.com")
    return client


def enable(days: int = 30, path: str = "practice-path") -> None:
    save_auto_enrolment(AutoEnrolment(enabled=True, path=path, days_after_hire=days))
    db.session.commit()


def assignments_of(email: str) -> list[Assignment]:
    user = db.session.scalar(select(User).where(User.email == email))
    return list(db.session.scalars(select(Assignment).where(Assignment.user_id == user.id)))


def test_an_admin_turns_auto_enrolment_on_and_off(admin):
    page = admin.get(SETTINGS).get_data(as_text=True)
    assert "Auto-enrolment of new hires" in page and "Practice path" in page
    assert 'value="30"' in page  # the suggested number of days

    response = post_form(admin, SETTINGS, {"enabled": "y", "path": "practice-path",
                                           "days_after_hire": 21}, token_from=SETTINGS)
    assert response.status_code == 302
    row = db.session.get(Setting, "auto_enrolment")
    assert row.value == {"enabled": True, "path": "practice-path", "days_after_hire": 21}
    assert "Auto-enrolment is on." in admin.get(SETTINGS).get_data(as_text=True)

    post_form(admin, SETTINGS, {"path": "practice-path", "days_after_hire": 21},
              token_from=SETTINGS)
    assert auto_enrolment() == AutoEnrolment(False, "practice-path", 21)


@pytest.mark.parametrize(("data", "message"), [
    ({"enabled": "y", "path": "", "days_after_hire": 30},
     "Choose the learning path new salespeople get."),
    ({"enabled": "y", "path": "no-such-path", "days_after_hire": 30},
     "Choose one of the learning paths in the list."),
    ({"enabled": "y", "path": "practice-path", "days_after_hire": ""}, "Give the number of days."),
    ({"enabled": "y", "path": "practice-path", "days_after_hire": -3},
     "Number must be between 0 and 3650."),
])
def test_bad_settings_are_refused(admin, data, message):
    response = post_form(admin, SETTINGS, data, token_from=SETTINGS)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.get(Setting, "auto_enrolment") is None


def test_only_admins_open_the_settings(app, admin):
    make_user(Role.MANAGER, email="mia@example.com")
    client = app.test_client()
    login(client, "mia@example.com")
    assert client.get(SETTINGS).status_code == 403
    assert app.test_client().get(SETTINGS).status_code == 302  # to the login page


def test_a_new_hire_from_the_admin_form_gets_the_path(admin):
    enable(days=30)
    hired = local_today() - timedelta(days=3)
    post_form(admin, "/admin/people/new", {
        "email": "nina@example.com", "name": "Nina New", "role": "learner", "team_id": 0,
        "manager_id": 0, "hire_date": hired.isoformat()}, token_from="/admin/people/new")
    [assignment] = assignments_of("nina@example.com")
    assert assignment.item_id == live_item(ContentKind.PATH, "practice-path").id
    assert assignment.due_date == hired + timedelta(days=30)
    assert assignment.due_days_after_hire == 30
    # A trainer or manager is not a new salesperson.
    post_form(admin, "/admin/people/new", {
        "email": "tom@example.com", "name": "Tom Trainer", "role": "trainer", "team_id": 0,
        "manager_id": 0, "hire_date": hired.isoformat()}, token_from="/admin/people/new")
    assert assignments_of("tom@example.com") == []


def test_the_csv_import_enrols_the_new_salespeople(admin, runner, tmp_path):
    enable(days=14)
    path = tmp_path / "people.csv"
    path.write_text("email,name,role,team,manager_email,hire_date,crm_name\n"
                    "a@example.com,Ann A,learner,Team Noord,m@example.com,2026-09-01,\n"
                    "m@example.com,Max M,manager,Team Noord,,2026-01-01,\n")
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code == 0, result.output
    [assignment] = assignments_of("a@example.com")
    assert assignment.due_date == date(2026, 9, 15)
    assert assignments_of("m@example.com") == []


def test_lms_users_create_enrols_a_learner_without_a_hire_date_from_today(admin, runner):
    enable(days=10)
    result = runner.invoke(args=["users", "create", "--email", "new@example.com",
                                 "--name", "New Person", "--role", "learner"])
    assert result.exit_code == 0, result.output
    [assignment] = assignments_of("new@example.com")
    assert assignment.due_date == local_today() + timedelta(days=10)
    assert assignment.due_days_after_hire is None


def test_nothing_happens_when_off_or_when_the_path_is_gone(admin, runner):
    make_user(email="before@example.com", hire_date=local_today())
    assert assignments_of("before@example.com") == []
    # Pointing at a path that no longer exists: people are still created, just not enrolled.
    db.session.add(Setting(key="auto_enrolment", value={
        "enabled": True, "path": "retired-path", "days_after_hire": 30}))
    db.session.commit()
    make_user(email="after@example.com", hire_date=local_today())
    assert assignments_of("after@example.com") == []
    page = admin.get(SETTINGS).get_data(as_text=True)
    assert "no longer exists" in page
