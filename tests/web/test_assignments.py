"""Managers assign paths and modules to people and teams, see, change and withdraw them; never
outside their own teams."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lms.clock import local_today
from lms.extensions import db
from lms.learning.assignments import assign, assign_to_team
from lms.learning.catalog import live_item
from lms.models import (
    Assignment,
    ContentItem,
    ContentKind,
    ModuleProgress,
    Role,
    Team,
    User,
    utcnow,
)
from tests.conftest import login, post_form
from tests.factories import make_team, make_user
from tests.learning_helpers import sync, write_practice

NEW = "/manage/assignments/new"


def today() -> date:
    """The organisation's today (LMS_TIMEZONE), which decides what is overdue."""
    return local_today()


@dataclass
class Org:
    manager: User
    other_manager: User
    team: Team
    below: Team
    other_team: Team
    anna: User  # team, hired 10 days ago
    bob: User  # team, no hire date
    carla: User  # the team below, hired 100 days ago
    dirk: User  # the other team
    module: ContentItem
    path: ContentItem


@pytest.fixture
def org(app, content_copy) -> Org:  # noqa: ANN001
    write_practice(content_copy)
    sync(content_copy)
    manager = make_user(Role.MANAGER, email="mia@example.com", name="Mia Manager")
    other_manager = make_user(Role.MANAGER, email="otto@example.com", name="Otto Other")
    team = make_team("Team Noord", managers=[manager])
    below = make_team("Team Noord-Oost", parent=team)
    other_team = make_team("Team Zuid", managers=[other_manager])
    anna = make_user(name="Anna Alpha", team=team, hire_date=today() - timedelta(days=10))
    bob = make_user(name="Bob Bravo", team=team)
    carla = make_user(name="Carla Charlie", team=below, hire_date=today() - timedelta(days=100))
    dirk = make_user(name="Dirk Delta", team=other_team, hire_date=today() - timedelta(days=5))
    # Not salespeople of the team now: not assigned by a team assignment.
    make_user(Role.TRAINER, name="Tess Trainer", team=team, hire_date=today())
    make_user(name="Ivo Inactive", team=team, hire_date=today(), active=False)
    return Org(manager, other_manager, team, below, other_team, anna, bob, carla, dirk,
               live_item(ContentKind.MODULE, "practice-module"),
               live_item(ContentKind.PATH, "practice-path"))


def as_user(app, user: User):  # noqa: ANN001, ANN201
    client = app.test_client()
    login(client, user.email)
    return client


def live(user: User) -> list[Assignment]:
    return list(db.session.scalars(select(Assignment).where(
        Assignment.user_id == user.id, Assignment.withdrawn_at.is_(None))))


def post_assign(client, target: str, item: ContentItem, **due: object):  # noqa: ANN001, ANN201
    data = {"target": target, "item_id": item.id, "due_kind": "fixed", **due}
    return post_form(client, NEW, data, token_from=NEW)


def test_assign_a_module_to_a_person_with_a_fixed_date(app, org):
    client = as_user(app, org.manager)
    page = client.get(NEW).get_data(as_text=True)
    assert "Anna Alpha" in page and "Carla Charlie" in page and "Team Noord-Oost" in page
    assert "Practice module" in page and "Practice path" in page

    due = today() + timedelta(days=14)
    response = post_assign(client, f"user:{org.anna.id}", org.module, due_date=due.isoformat())
    assert response.status_code == 302
    assert response.headers["Location"] == f"/manage/assignments/?person={org.anna.id}"
    [assignment] = live(org.anna)
    assert (assignment.item_id, assignment.due_date) == (org.module.id, due)
    assert assignment.assigned_by_id == org.manager.id and assignment.team_id is None
    assert assignment.due_days_after_hire is None

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Practice module assigned to Anna Alpha." in page
    assert "Anna Alpha" in page and "On time" in page


def test_a_fixed_date_must_be_given_and_not_in_the_past(app, org):
    client = as_user(app, org.manager)
    page = post_assign(client, f"user:{org.anna.id}", org.module).get_data(as_text=True)
    assert "Give the due date." in page
    yesterday = (today() - timedelta(days=1)).isoformat()
    page = post_assign(client, f"user:{org.anna.id}", org.module,
                       due_date=yesterday).get_data(as_text=True)
    assert "The due date is in the past." in page
    page = post_assign(client, "", org.module, due_kind="none").get_data(as_text=True)
    assert "Choose a team or a person." in page
    assert live(org.anna) == []


def test_relative_due_dates_are_worked_out_per_person(app, org):
    client = as_user(app, org.manager)
    response = post_assign(client, f"user:{org.carla.id}", org.path, due_kind="relative",
                           days_after_hire=30)
    assert response.status_code == 302
    [assignment] = live(org.carla)
    assert assignment.due_date == org.carla.hire_date + timedelta(days=30)
    assert assignment.due_days_after_hire == 30
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "is already past: it shows as overdue" in page
    # Hired 100 days ago, due 30 days after: overdue by 70 days.
    page = client.get("/manage/assignments/?status=overdue").get_data(as_text=True)
    assert "Carla Charlie" in page and "Overdue by 70 days" in page


def test_a_relative_date_for_someone_without_a_hire_date_is_a_clear_error(app, org):
    client = as_user(app, org.manager)
    response = post_assign(client, f"user:{org.bob.id}", org.path, due_kind="relative",
                           days_after_hire=30)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Bob Bravo has no hire date" in page
    assert live(org.bob) == []


def test_assign_a_path_to_a_whole_team(app, org):
    client = as_user(app, org.manager)
    # Anna already has the path: she keeps one assignment, with the new due date.
    assign(org.anna, org.path, due_date=today() + timedelta(days=3))
    db.session.commit()
    response = post_assign(client, f"team:{org.team.id}", org.path, due_kind="relative",
                           days_after_hire=30)
    assert response.headers["Location"] == f"/manage/assignments/?team={org.team.id}"
    [anna] = live(org.anna)
    assert anna.due_date == org.anna.hire_date + timedelta(days=30)
    assert anna.due_days_after_hire == 30
    # Bob has no hire date: skipped and named. The team below, the trainer and the deactivated
    # salesperson are not this team's current salespeople.
    assert live(org.bob) == [] and live(org.carla) == []
    assert db.session.scalar(select(Assignment).where(
        Assignment.user_id.in_(select(User.id).where(User.name.in_(
            ["Tess Trainer", "Ivo Inactive"]))))) is None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Already assigned, due date updated: Anna Alpha." in page
    assert "Not assigned: Bob Bravo (no hire date" in page
    assert "already past" not in page  # Anna was hired 10 days ago: due in 20 days

    # The team below, 60 days from the hire date: Carla (hired 100 days ago) starts overdue.
    post_assign(client, f"team:{org.below.id}", org.module, due_kind="relative",
                days_after_hire=60)
    page = client.get(f"/manage/assignments/?team={org.below.id}").get_data(as_text=True)
    assert "The due date is already past for Carla Charlie" in page

    # With a fixed date everyone gets it, and the team is recorded.
    due = today() + timedelta(days=20)
    post_assign(client, f"team:{org.team.id}", org.module, due_date=due.isoformat())
    rows = {a.user_id: a for a in db.session.scalars(select(Assignment).where(
        Assignment.item_id == org.module.id))}
    assert sorted(rows) == sorted([org.anna.id, org.bob.id, org.carla.id])
    assert [(rows[p.id].team_id, rows[p.id].due_date) for p in (org.anna, org.bob)] \
        == [(org.team.id, due), (org.team.id, due)]
    assert rows[org.carla.id].team_id == org.below.id  # from the team below, unchanged
    page = client.get(f"/manage/assignments/?team={org.team.id}").get_data(as_text=True)
    assert "Practice module assigned to 2 people in Team Noord." in page


def test_a_manager_cannot_assign_to_or_see_another_teams_people(app, org):
    theirs = assign(org.dirk, org.module, due_date=today() - timedelta(days=2),
                    by=org.other_manager)
    db.session.commit()
    client = as_user(app, org.manager)

    page = client.get(NEW).get_data(as_text=True)
    assert "Dirk Delta" not in page and "Team Zuid" not in page
    for target in (f"user:{org.dirk.id}", f"team:{org.other_team.id}",
                   f"user:{org.other_manager.id}"):
        response = post_assign(client, target, org.module, due_kind="none")
        assert response.status_code == 200
        assert "Not a valid choice" in response.get_data(as_text=True)
    assert [a.id for a in live(org.dirk)] == [theirs.id]

    for query in ("", f"?team={org.other_team.id}", f"?person={org.dirk.id}",
                  "?status=overdue"):
        url = "/manage/assignments/" + query
        page = client.get(url).get_data(as_text=True)
        assert "Dirk Delta" not in page, url
    assert client.get(f"/manage/assignments/{theirs.id}").status_code == 404
    response = post_form(client, f"/manage/assignments/{theirs.id}/withdraw",
                         token_from="/manage/assignments/")
    assert response.status_code == 404
    assert db.session.get(Assignment, theirs.id).withdrawn_at is None

    # The other manager sees it; a salesperson gets no manager pages at all.
    page = as_user(app, org.other_manager).get("/manage/assignments/").get_data(as_text=True)
    assert "Dirk Delta" in page and "Anna Alpha" not in page
    assert as_user(app, org.anna).get("/manage/assignments/").status_code == 403
    assert as_user(app, org.anna).get(NEW).status_code == 403


def test_the_list_filters_by_status_person_and_item(app, org):
    assign(org.anna, org.module, due_date=today() - timedelta(days=1))  # overdue
    assign(org.bob, org.module, due_date=today() + timedelta(days=3))  # due soon
    assign(org.carla, org.module, due_date=today() + timedelta(days=30))  # on time
    assign(org.carla, org.path)  # no due date: on time
    assign(org.bob, org.path, due_date=today() - timedelta(days=9))
    db.session.add(ModuleProgress(user_id=org.bob.id, module_id=org.module.id,
                                  read_at=utcnow(), completed_at=utcnow()))  # complete
    db.session.commit()
    client = as_user(app, org.manager)

    def names(query: str) -> list[str]:
        page = client.get("/manage/assignments/" + query).get_data(as_text=True)
        return [n for n in ("Anna Alpha", "Bob Bravo", "Carla Charlie")
                if f">{n}</a></th>" in page]

    assert names("") == ["Anna Alpha", "Bob Bravo", "Carla Charlie"]
    assert names("?status=overdue") == ["Anna Alpha", "Bob Bravo"]
    assert names("?status=complete") == ["Bob Bravo"]
    assert names("?status=due_soon") == []
    assert names("?status=on_time") == ["Carla Charlie"]
    assert names(f"?person={org.bob.id}") == ["Bob Bravo"]
    assert names(f"?item={org.path.id}&status=overdue") == ["Bob Bravo"]
    assert names(f"?team={org.below.id}") == ["Carla Charlie"]
    page = client.get("/manage/assignments/").get_data(as_text=True)
    assert "Overdue by 1 day<" in page and "Overdue by 9 days" in page and "No due date" in page
    assert 'Overdue <span class="count">2</span>' in page
    assert 'Complete <span class="count">1</span>' in page


def test_change_a_due_date(app, org):
    assignment = assign(org.anna, org.module, due_date=today() + timedelta(days=5))
    db.session.commit()
    client = as_user(app, org.manager)
    url = f"/manage/assignments/{assignment.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Practice module" in page and "Anna Alpha" in page
    assert (today() + timedelta(days=5)).isoformat() in page

    response = post_form(client, url, {"due_kind": "relative", "days_after_hire": 45},
                         token_from=url)
    assert response.status_code == 302
    db.session.refresh(assignment)
    assert assignment.due_date == org.anna.hire_date + timedelta(days=45)
    assert assignment.due_days_after_hire == 45

    later = today() + timedelta(days=60)
    post_form(client, url, {"due_kind": "fixed", "due_date": later.isoformat()}, token_from=url)
    db.session.refresh(assignment)
    assert (assignment.due_date, assignment.due_days_after_hire) == (later, None)

    post_form(client, url, {"due_kind": "none"}, token_from=url)
    db.session.refresh(assignment)
    assert (assignment.due_date, assignment.due_days_after_hire) == (None, None)


def test_withdraw_then_assign_again(app, org):
    first = assign(org.anna, org.module, due_date=today() + timedelta(days=5))
    db.session.commit()
    client = as_user(app, org.manager)
    url = f"/manage/assignments/{first.id}/withdraw"
    # A POST without the CSRF token changes nothing.
    assert client.post(url).status_code == 400
    assert client.get(url).status_code == 405
    response = post_form(client, url, token_from=f"/manage/assignments/{first.id}")
    assert response.status_code == 302
    db.session.refresh(first)
    assert first.withdrawn_at is not None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "withdrawn from Anna Alpha" in page
    assert ">Anna Alpha</a></th>" not in page
    # Withdrawn: no longer changeable.
    assert client.get(f"/manage/assignments/{first.id}").status_code == 404

    response = post_assign(client, f"user:{org.anna.id}", org.module, due_kind="none")
    assert response.status_code == 302
    [second] = live(org.anna)
    assert second.id != first.id and second.due_date is None
    assert len(db.session.scalars(select(Assignment).where(
        Assignment.user_id == org.anna.id)).all()) == 2


def test_a_manager_of_a_parent_team_assigns_in_the_team_below(app, org):
    client = as_user(app, org.manager)
    response = post_assign(client, f"team:{org.below.id}", org.module, due_kind="none")
    assert response.status_code == 302
    assert [a.team_id for a in live(org.carla)] == [org.below.id]


def test_an_admin_sees_and_assigns_everyone(app, org):
    admin = make_user(Role.ADMIN, email="root@example.com", name="Root Admin")
    assign(org.dirk, org.module)
    assign(org.anna, org.module)
    db.session.commit()
    client = as_user(app, admin)
    page = client.get("/manage/assignments/").get_data(as_text=True)
    assert "Dirk Delta" in page and "Anna Alpha" in page
    response = post_assign(client, f"team:{org.other_team.id}", org.path, due_kind="none")
    assert response.status_code == 302
    assert [a.item_id for a in live(org.dirk)] == [org.module.id, org.path.id]


def test_only_people_not_done_yet_start_out_overdue(app, org):
    result = assign_to_team(org.team, org.module, days_after_hire=1, today=today())
    assert result.assigned == [org.anna] and result.past_due == [org.anna]
    assert [p for p, _ in result.skipped] == [org.bob]
    db.session.add(ModuleProgress(user_id=org.anna.id, module_id=org.module.id,
                                  read_at=utcnow(), completed_at=utcnow()))
    result = assign_to_team(org.team, org.module, days_after_hire=2, today=today())
    assert result.updated == [org.anna] and result.past_due == []
