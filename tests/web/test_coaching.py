"""Coaching through the web: a manager records an observation for a salesperson of their team
(validation, CSRF, team scope), the salesperson reads and acknowledges it, the next step becomes
a goal they mark done, and the readiness drill-down shows the ratings over time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.coaching.rubrics import sync_rubrics
from lms.extensions import db
from lms.models import Goal, GoalKind, Observation, Rating, Role
from tests.conftest import REPO, login, org_today, page_token
from tests.factories import make_team, make_user
from tests.impact_helpers import statements

TODAY = org_today()
NEW = "/manage/coaching/new"


@pytest.fixture
def org(app):  # noqa: ANN001, ANN201
    sync_rubrics(REPO / "content" / "rubrics")
    boss = make_user(Role.MANAGER, email="boss@example.com", name="Bea Boss")
    other_boss = make_user(Role.MANAGER, email="other@example.com")
    make_user(Role.ADMIN, email="admin@example.com")
    team = make_team("Noord", managers=[boss])
    other_team = make_team("Zuid", managers=[other_boss])
    sam = make_user(Role.LEARNER, email="sam@example.com", name="Sam Seller", team=team)
    tess = make_user(Role.LEARNER, email="tess@example.com", name="Tess Teammate", team=team)
    zoe = make_user(Role.LEARNER, email="zoe@example.com", name="Zoe Zuid", team=other_team)
    db.session.commit()
    return {"boss": boss, "sam": sam, "tess": tess, "zoe": zoe}


def valid(person_id: int, **changes) -> dict:  # noqa: ANN003
    data = {"rubric": "sales-conversations", "person": str(person_id), "kind": "ride_along",
            "observed_on": (TODAY - timedelta(days=2)).isoformat(),
            "skill_0": "2", "skill_1": "", "skill_2": "3", "skill_3": "", "skill_4": "",
            "strengths": "Good open questions.", "improvements": "Let the customer finish.",
            "next_step": "Practise three objection answers\nwith a colleague",
            "next_step_due": (TODAY + timedelta(days=14)).isoformat()}
    data.update(changes)
    return data


def record(client, data: dict):  # noqa: ANN001, ANN201
    return client.post(NEW, data={**data, "csrf_token": page_token(client, NEW)})


def logout(client) -> None:  # noqa: ANN001
    client.post("/logout", data={"csrf_token": page_token(client, "/account")})


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Observation))


def test_manager_records_an_observation_and_the_next_step_becomes_a_goal(client, org):
    login(client, "boss@example.com")
    page = client.get(NEW).get_data(as_text=True)
    assert "Discovery questions" in page and "Role model" in page and "Sam Seller" in page
    assert "Zoe Zuid" not in page  # another team's salesperson is not offered
    response = record(client, valid(org["sam"].id))
    assert response.status_code == 302
    observation = db.session.scalar(select(Observation))
    assert observation.user_id == org["sam"].id and observation.observer_id == org["boss"].id
    assert [(r.skill_id, r.skill_name, r.rating) for r in observation.ratings] == [
        ("discovery", "Discovery questions", 2), ("value", "Presenting value", 3)]
    assert (observation.scale_low, observation.scale_high) == (1, 4)
    goal = db.session.get(Goal, observation.goal_id)
    assert goal.kind == GoalKind.COACHING_STEP.value and goal.user_id == org["sam"].id
    assert goal.title == "Practise three objection answers"
    assert goal.deadline == TODAY + timedelta(days=14)
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Not acknowledged yet" in shown and "Presenting value" in shown


@pytest.mark.parametrize(("changes", "message"), [
    ({"skill_0": "", "skill_2": ""}, "Rate at least one skill you observed."),
    ({"skill_0": "7"}, "Rate “Discovery questions” from 1 to 4."),
    ({"observed_on": (TODAY + timedelta(days=1)).isoformat()},
     "The observation cannot be in the future"),
    ({"observed_on": ""}, "Enter the day of the observation."),
    ({"next_step": "  "}, "Enter the next step you agreed."),
    ({"next_step_due": (TODAY - timedelta(days=1)).isoformat()},
     "The next step&#39;s date is in the past"),
    ({"next_step_due": ""}, "Enter the date of the next step."),
    ({"kind": "lunch"}, "Choose what you observed"),
    ({"person": "0"}, "Choose a salesperson."),
    ({"strengths": "x" * 2001}, "2000"),
])
def test_invalid_observations_are_refused_with_a_message(client, org, changes, message):
    login(client, "boss@example.com")
    response = record(client, valid(org["sam"].id, **changes))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count() == 0
    assert db.session.scalar(select(func.count()).select_from(Goal)) == 0


def test_recording_needs_the_csrf_token(client, org):
    login(client, "boss@example.com")
    response = client.post(NEW, data=valid(org["sam"].id))
    assert response.status_code == 400
    assert count() == 0


def test_another_teams_manager_cannot_record_or_read(client, org):
    login(client, "other@example.com")
    assert client.get(f"{NEW}?person={org['sam'].id}").status_code == 404
    assert record(client, valid(org["sam"].id)).status_code == 404
    assert count() == 0
    logout(client)
    login(client, "boss@example.com")
    record(client, valid(org["sam"].id))
    observation = db.session.scalar(select(Observation))
    logout(client)
    login(client, "other@example.com")
    assert client.get(f"/manage/coaching/{observation.id}").status_code == 404
    assert "Sam Seller" not in client.get("/manage/coaching/").get_data(as_text=True)


def test_a_learner_cannot_record(client, org):
    login(client, "sam@example.com")
    assert client.get(NEW).status_code == 403
    assert client.get("/manage/coaching/").status_code == 403
    response = client.post(NEW, data={**valid(org["tess"].id),
                                      "csrf_token": page_token(client, "/account")})
    assert response.status_code == 403
    assert count() == 0


def test_a_manager_cannot_observe_themselves(client, org):
    login(client, "boss@example.com")
    response = record(client, valid(org["boss"].id))
    assert response.status_code == 200
    assert "Choose a salesperson from your team." in response.get_data(as_text=True)
    assert count() == 0


def _observation(client, org) -> Observation:  # noqa: ANN001
    login(client, "boss@example.com")
    assert record(client, valid(org["sam"].id)).status_code == 302
    logout(client)
    return db.session.scalar(select(Observation))


def test_the_salesperson_sees_and_acknowledges_their_observation(client, org):
    observation = _observation(client, org)
    login(client, "sam@example.com")
    dashboard = client.get("/learn/").get_data(as_text=True)
    assert "1 observation from your manager to acknowledge." in dashboard
    listing = client.get("/learn/coaching/").get_data(as_text=True)
    assert "Ride-along on" in listing and "Not acknowledged yet" in listing
    page = client.get(f"/learn/coaching/{observation.id}").get_data(as_text=True)
    assert "Let the customer finish." in page and "Developing" in page
    url = f"/learn/coaching/{observation.id}/acknowledge"
    assert client.post(url).status_code == 400  # no CSRF token
    response = client.post(url, data={"csrf_token": page_token(client, "/learn/coaching/")})
    assert response.status_code == 302
    db.session.refresh(observation)
    assert observation.acknowledged_at is not None
    assert "No observation waiting for you." in client.get("/learn/").get_data(as_text=True)
    logout(client)
    login(client, "boss@example.com")
    assert "Acknowledged" in client.get("/manage/coaching/").get_data(as_text=True)


def test_only_the_person_observed_can_acknowledge(client, org):
    observation = _observation(client, org)
    for email in ("tess@example.com", "boss@example.com", "admin@example.com"):
        login(client, email)
        token = page_token(client, "/account")
        assert client.get(f"/learn/coaching/{observation.id}").status_code == 404
        response = client.post(f"/learn/coaching/{observation.id}/acknowledge",
                               data={"csrf_token": token})
        assert response.status_code == 404, email
        client.post("/logout", data={"csrf_token": token})
    db.session.refresh(observation)
    assert observation.acknowledged_at is None


def test_the_next_step_is_on_the_goals_page_and_can_be_marked_done(client, org):
    observation = _observation(client, org)
    login(client, "sam@example.com")
    goals = client.get("/learn/goals/").get_data(as_text=True)
    assert "Practise three objection answers" in goals and "Coaching next step" in goals
    # Not a progress to fall behind on: "To do" until done, however little time is left.
    step = goals[goals.index(f'id="goal-{observation.goal_id}"'):]
    step = step[:step.index("</li>")]
    assert "To do" in step and "At risk" not in step and "<progress" not in step
    assert client.get(f"/learn/goals/{observation.goal_id}").status_code == 404  # not editable
    token = page_token(client, "/learn/goals/")
    response = client.post(f"/learn/goals/{observation.goal_id}/done",
                           data={"csrf_token": token})
    assert response.status_code == 302
    goal = db.session.get(Goal, observation.goal_id)
    db.session.refresh(goal)
    assert goal.achieved_at is not None
    assert "Achieved" in client.get("/learn/goals/").get_data(as_text=True)
    # Someone else cannot mark it done.
    goal.achieved_at = None
    db.session.commit()
    client.post("/logout", data={"csrf_token": token})
    login(client, "tess@example.com")
    response = client.post(f"/learn/goals/{observation.goal_id}/done",
                           data={"csrf_token": page_token(client, "/learn/goals/")})
    assert response.status_code == 404
    assert db.session.get(Goal, observation.goal_id).achieved_at is None


def test_the_goal_form_does_not_offer_a_coaching_step(client, org):
    login(client, "sam@example.com")
    assert "Coaching next step" not in client.get("/learn/goals/new").get_data(as_text=True)
    page = client.get("/learn/goals/new?kind=coaching_step").get_data(as_text=True)
    assert 'name="kind"' not in page  # the kind chooser, not a form for this kind
    # Posted anyway (a crafted form): refused with the form again, nothing stored.
    for extra in ({}, {"change_kind": "1"}):
        response = client.post("/learn/goals/new", data={
            "kind": "coaching_step", "title": "Mine", "deadline": "2027-01-01",
            "csrf_token": page_token(client, "/learn/goals/new"), **extra})
        assert response.status_code in (200, 400)
    assert db.session.scalar(select(Goal).where(Goal.title == "Mine")) is None


def test_the_drill_down_shows_ratings_over_time_in_flat_statements(app, client, org):
    login(client, "boss@example.com")
    url = f"/manage/reports/people/{org['sam'].id}"
    assert "No coaching observation yet." in client.get(url).get_data(as_text=True)
    record(client, valid(org["sam"].id, observed_on=(TODAY - timedelta(days=30)).isoformat(),
                         skill_0="1", skill_2="", skill_4="2"))
    record(client, valid(org["sam"].id))
    page = client.get(url).get_data(as_text=True)
    assert "Skill ratings over time" in page
    assert page.count('class="chart chart--spark"') == 3  # discovery, value, follow-up
    assert "Discovery questions over time, on a scale of 1 to 4" in page
    with statements() as few:
        client.get(url)
    for days in range(3, 9):
        record(client, valid(org["sam"].id, observed_on=(TODAY - timedelta(days=days))
                             .isoformat()))
    assert db.session.scalar(select(func.count()).select_from(Rating)) == 16
    with statements() as many:
        client.get(url)
    assert len(few) == len(many)
    logout(client)
    login(client, "other@example.com")
    assert client.get(url).status_code == 404


def test_coaching_pages_run_a_fixed_number_of_statements(client, org):
    login(client, "boss@example.com")
    record(client, valid(org["sam"].id))

    def sizes() -> list[int]:
        out = []
        for url in ("/manage/coaching/", NEW):
            with statements() as seen:
                assert client.get(url).status_code == 200
            out.append(len(seen))
        return out

    before = sizes()
    for person in ("tess", "sam", "tess"):
        record(client, valid(org[person].id))
    assert sizes() == before
    logout(client)
    login(client, "sam@example.com")
    with statements() as one:
        client.get("/learn/coaching/")
    record_more = Observation(user_id=org["sam"].id, observer_id=org["boss"].id,
                              rubric_version_id=db.session.scalar(select(Observation))
                              .rubric_version_id, scale_low=1, scale_high=4,
                              kind="call_review", observed_on=TODAY, next_step="x",
                              next_step_due=TODAY)
    record_more.ratings = [Rating(skill_id="closing", skill_name="Closing", position=3,
                                  rating=4)]
    db.session.add(record_more)
    db.session.commit()
    with statements() as two:
        client.get("/learn/coaching/")
    assert len(one) == len(two)


def test_saving_the_same_observation_twice_keeps_one(client, org):
    """A double click on Save, or Back and Save again: one observation, one next step."""
    login(client, "boss@example.com")
    first = record(client, valid(org["sam"].id))
    second = record(client, valid(org["sam"].id))
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert count() == 1
    assert db.session.scalar(select(func.count()).select_from(Goal)
                             .where(Goal.kind == GoalKind.COACHING_STEP.value)) == 1
    # Another observation the same day with another next step is a second one.
    record(client, valid(org["sam"].id, next_step="Call two lost customers back"))
    assert count() == 2
