"""Learners' own goals through the web: setting each kind, validation per field, progress and
status on the list, the dashboard summary, privacy and CSRF."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import render_template
from sqlalchemy import func, select

from lms.errors import DomainError
from lms.extensions import db
from lms.learning import goal_progress
from lms.learning.attempts import start_attempt, submit
from lms.learning.catalog import live_item
from lms.learning.completion import mark_read, update_completion_for_quiz
from lms.learning.goal_progress import goals_overview
from lms.learning.goals import GoalFields, create_goal, update_goal
from lms.models import ContentKind, Goal, GoalKind, User
from tests.conftest import login, org_today, page_token, post_form
from tests.factories import make_user

TODAY = org_today()
SOON = (TODAY + timedelta(days=30)).isoformat()
URL = "/learn/goals/"

# A two-question quiz replaces the module's own, so a test can score 0, 50 or 100 % on purpose.
QUIZ = """\
title: Brewline check
settings:
  pass_mark: 75
  grading_method: highest
questions:
  - id: q1
    type: true_false
    prompt: Brewline sells coffee machines.
    answer: true
  - id: q2
    type: true_false
    prompt: Brewline sells water systems.
    answer: true
"""
MODULE = "company-and-product-range"


@pytest.fixture
def content(runner, content_copy):  # noqa: ANN201
    (content_copy / "quizzes" / f"{MODULE}.yaml").write_text(QUIZ)
    # Its Dutch translation belongs to the real quiz, not to this one.
    (content_copy / "quizzes" / f"{MODULE}.nl.yaml").unlink()
    # One module without a quiz, for the "reach a score" rule.
    path = content_copy / "content" / "modules" / "regional-market-figures.md"
    path.write_text(path.read_text().replace("quiz: regional-market-figures\n", ""))
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 0, result.output
    return content_copy


@pytest.fixture
def learner(client) -> User:
    user = make_user(email="learner@example.com", name="Lena Learner")
    login(client, "learner@example.com")
    return user


def item_id(kind: ContentKind, slug: str) -> int:
    item = live_item(kind, slug)
    assert item is not None
    return item.id


def goals_of(user: User) -> list[Goal]:
    return list(db.session.scalars(select(Goal).where(Goal.user_id == user.id)
                                   .order_by(Goal.id)))


def take_quiz(user: User, answers: dict, *, now: datetime | None = None) -> None:
    """Read the module and submit one attempt at its quiz with ``answers``."""
    now = now or datetime.now(UTC)
    module = live_item(ContentKind.MODULE, MODULE)
    quiz = live_item(ContentKind.QUIZ, MODULE)
    mark_read(user, module, now=now)
    submit(start_attempt(user, quiz, now=now), answers, now=now)
    update_completion_for_quiz(user.id, quiz, now=now)
    db.session.commit()


def new_goal(client, data: dict):  # noqa: ANN001, ANN201
    return post_form(client, "/learn/goals/new", {"deadline": SOON, **data})


def html(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


# --- pages and access ------------------------------------------------------------------------

def test_goal_pages_need_a_login(client):
    for url in (URL, "/learn/goals/new", "/learn/goals/1"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_new_goal_starts_by_choosing_the_kind(client, learner):
    page = html(client.get("/learn/goals/new"))
    for label in ("Finish a learning path", "Finish a module", "Reach a quiz score", "Revenue",
                  "Won deals", "Customer satisfaction", "Repeat-customer rate",
                  "Complaints resolved in time"):
        assert label in page
    assert 'href="/learn/goals/new?kind=complaints_resolved"' in page


def test_the_form_shows_the_fields_of_its_kind_with_labels_and_help(client, content, learner):
    page = html(client.get("/learn/goals/new?kind=complaints_resolved"))
    assert 'name="within_days"' in page and 'name="target"' in page
    assert 'name="module"' not in page and 'name="path"' not in page
    assert "Share of complaints resolved in time (%)" in page
    assert 'id="deadline-help"' in page and 'id="target-help"' in page
    page = html(client.get("/learn/goals/new?kind=complete_path"))
    assert 'name="path"' in page and 'name="target"' not in page
    assert "New hire onboarding" in page


def test_changing_the_kind_shows_its_fields_without_saving(client, content, learner):
    response = new_goal(client, {"kind": "reach_score", "change_kind": "1"})
    assert response.status_code == 200
    page = html(response)
    assert 'name="module"' in page and "Score to reach (%)" in page
    assert "Please correct" not in page
    assert goals_of(learner) == []


# --- setting each kind ------------------------------------------------------------------------

@pytest.mark.parametrize(("data", "title", "target", "within"), [
    ({"kind": "complete_path", "path": ("path", "new-hire-onboarding")},
     "Finish “New hire onboarding”", None, None),
    ({"kind": "complete_module", "module": ("module", MODULE)},
     "Finish “Brewline and its product range”", None, None),
    ({"kind": "reach_score", "module": ("module", MODULE), "target": "80"},
     "Score 80 % on “Brewline and its product range”", 80.0, None),
    ({"kind": "revenue", "target": "€ 25.000,50"}, "€25,000.50 revenue", 25000.5, None),
    ({"kind": "won_deals", "target": "12"}, "Win 12 deals", 12.0, None),
    ({"kind": "satisfaction", "target": "90 %"}, "Customer satisfaction of 90 %", 0.9, None),
    ({"kind": "repeat_rate", "target": "35"}, "Repeat-customer rate of 35 %", 0.35, None),
    ({"kind": "complaints_resolved", "target": "95", "within_days": "5"},
     "Resolve 95 % of complaints within 5 days", 0.95, 5),
])
def test_set_each_kind_of_goal(client, content, learner, data, title, target, within):
    data = dict(data)
    for key in ("path", "module"):
        if key in data:
            data[key] = str(item_id(ContentKind(data[key][0]), data[key][1]))
    response = new_goal(client, data)
    assert response.status_code == 302, html(response)
    [goal] = goals_of(learner)
    assert goal.kind == data["kind"] and goal.title == title
    assert goal.target == target and goal.within_days == within
    assert goal.starts_on == TODAY and goal.deadline.isoformat() == SOON
    page = html(client.get(URL))
    assert title in page and "Goal set" in page
    if GoalKind(goal.kind).is_training:
        assert 'max="100" value="0"' in page and "On track" in page
    else:
        assert "No sales data yet" in page and "No data yet" in page


def test_a_performance_goal_counts_between_two_dates(client, content, learner):
    start = (TODAY - timedelta(days=10)).isoformat()
    response = new_goal(client, {"kind": "revenue", "target": "50000", "starts_on": start,
                                 "title": "Q3 revenue", "note": "Focus on Utrecht."})
    assert response.status_code == 302
    [goal] = goals_of(learner)
    assert goal.starts_on.isoformat() == start and goal.note == "Focus on Utrecht."
    page = html(client.get(URL))
    assert "Q3 revenue" in page and "target €50,000" in page and "Focus on Utrecht." in page


# --- validation -------------------------------------------------------------------------------

PAST = (TODAY - timedelta(days=1)).isoformat()


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"kind": "won_deals", "target": "3", "deadline": ""}, "deadline", "Enter the deadline."),
    ({"kind": "won_deals", "target": "3", "deadline": "31-12-2030"}, "deadline",
     "Not a valid date value."),
    ({"kind": "won_deals", "target": "3", "deadline": PAST}, "deadline",
     "The deadline is in the past"),
    ({"kind": "won_deals", "target": "3", "starts_on": "2099-01-01"}, "starts_on",
     "The start date must be on or before the deadline."),
    ({"kind": "nonsense"}, "kind", "Choose what kind of goal this is."),
    ({"kind": "complete_path"}, "path", "Choose a learning path."),
    ({"kind": "complete_path", "path": "999999"}, "path", "Choose a learning path."),
    ({"kind": "complete_module"}, "module", "Choose a module."),
    ({"kind": "reach_score", "module": MODULE}, "target", "Enter the target."),
    ({"kind": "reach_score", "module": MODULE, "target": "120"}, "target",
     "Enter a percentage above 0 and at most 100."),
    ({"kind": "reach_score", "module": "regional-market-figures", "target": "80"}, "module",
     "“Regional market figures” has no quiz"),
    ({"kind": "revenue", "target": "0"}, "target",
     "Enter the revenue to reach in euros: more than 0."),
    ({"kind": "revenue", "target": "lots"}, "target", "Enter a number, e.g. 80 or 25000."),
    ({"kind": "revenue", "target": "12.500"}, "target", "without a thousands separator"),
    ({"kind": "won_deals", "target": "2.5"}, "target", "a whole number, 1 or more"),
    ({"kind": "satisfaction"}, "target", "Enter the target."),
    ({"kind": "satisfaction", "target": "0"}, "target", "Enter a percentage above 0"),
    ({"kind": "repeat_rate", "target": "101"}, "target", "Enter a percentage above 0"),
    ({"kind": "complaints_resolved", "target": "90"}, "within_days",
     "Enter the number of days."),
    ({"kind": "complaints_resolved", "target": "90", "within_days": "0"}, "within_days",
     "Enter a number of days from 1 to 365."),
    ({"kind": "won_deals", "target": "3", "title": "x" * 201}, "title",
     "Field cannot be longer than 200 characters."),
])
def test_validation_errors_are_shown_at_the_field(client, content, learner, data, field,
                                                   message):
    data = dict(data)
    if data.get("module") in (MODULE, "regional-market-figures"):
        data["module"] = str(item_id(ContentKind.MODULE, data["module"]))
    response = new_goal(client, data)
    assert response.status_code == 200
    page = html(response)
    assert "Please correct" in page
    assert f'<p class="field__error" id="{field}-error">' in page
    error = page.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
    assert message in error
    assert goals_of(learner) == []


def test_every_missing_field_is_reported_at_once(client, content, learner):
    page = html(new_goal(client, {"kind": "complaints_resolved", "deadline": ""}))
    for field in ("target", "within_days", "deadline"):
        assert f'id="{field}-error"' in page


def test_a_goal_for_what_is_already_done_or_already_set_is_refused(client, content, learner):
    module = str(item_id(ContentKind.MODULE, MODULE))
    assert new_goal(client, {"kind": "complete_module", "module": module}).status_code == 302
    page = html(new_goal(client, {"kind": "complete_module", "module": module}))
    assert "You already have a goal for “Brewline and its product range”." in page
    take_quiz(learner, {"q1": True, "q2": True})
    db.session.execute(db.delete(Goal))
    db.session.commit()
    page = html(new_goal(client, {"kind": "complete_module", "module": module}))
    assert "You have already completed “Brewline and its product range”." in page
    page = html(new_goal(client, {"kind": "reach_score", "module": module, "target": "90"}))
    assert "Your result on this quiz is already 100 %" in page


# --- progress and status ----------------------------------------------------------------------

def test_the_list_shows_progress_and_status(client, content, learner):
    module = live_item(ContentKind.MODULE, MODULE)
    create_goal(learner, GoalFields(kind="complete_module", item=module, title="Read up",
                                    starts_on=TODAY - timedelta(days=9), deadline=TODAY))
    create_goal(learner, GoalFields(kind="complete_path", title="Onboarding",
                                    item=live_item(ContentKind.PATH, "new-hire-onboarding"),
                                    deadline=TODAY + timedelta(days=60)))
    db.session.commit()
    mark_read(learner, module)  # read, quiz not passed yet: half way
    db.session.commit()
    page = html(client.get(URL))
    read_up = page.split("Read up", 1)[1].split("</li>", 1)[0]
    assert 'value="50"' in read_up and "50 %" in read_up
    assert "At risk" in read_up  # 90 % of the time gone, half done
    assert "Due today" in read_up and "Read; pass the quiz to complete it." in read_up
    onboarding = page.split("Onboarding", 1)[1].split("</li>", 1)[0]
    assert "On track" in onboarding and "0 of 6 required modules complete." in onboarding
    assert "60 days left" in onboarding
    # the timeline: today's position, as SVG attributes (the CSP forbids style attributes)
    assert 'x1="90.0%"' in read_up and 'x1="0.0%"' in onboarding
    assert "style=" not in page


def test_a_completed_module_makes_its_goal_achieved(client, content, learner):
    module = live_item(ContentKind.MODULE, MODULE)
    goal = create_goal(learner, GoalFields(kind="complete_module", item=module,
                                           deadline=TODAY + timedelta(days=7)))
    path_goal = create_goal(learner, GoalFields(
        kind="complete_path", item=live_item(ContentKind.PATH, "new-hire-onboarding"),
        deadline=TODAY + timedelta(days=7)))
    db.session.commit()
    take_quiz(learner, {"q1": True, "q2": True})  # read and passed: the module is complete
    page = html(client.get(URL))
    card = page.split(f'id="goal-{goal.id}"', 1)[1].split("</li>", 1)[0]
    assert "Achieved" in card and 'value="100"' in card and "Completed on" in card
    path_card = page.split(f'id="goal-{path_goal.id}"', 1)[1].split("</li>", 1)[0]
    assert "1 of 6 required modules complete." in path_card and 'value="17"' in path_card
    db.session.refresh(goal)
    assert goal.achieved_at is not None  # recorded by the list page, which commits


def test_a_score_goal_follows_the_quiz_result(client, content, learner):
    module = live_item(ContentKind.MODULE, MODULE)
    goal = create_goal(learner, GoalFields(kind="reach_score", item=module, target=80,
                                           deadline=TODAY + timedelta(days=7)))
    db.session.commit()
    take_quiz(learner, {"q1": True, "q2": False})  # 50 %: not passed, so a second try is allowed
    [view] = goals_overview(learner)
    assert view.percent == 62 and view.status == "on_track"
    assert view.detail == "Your result: 50 % (goal 80 %)."
    take_quiz(learner, {"q1": True, "q2": True})
    [view] = goals_overview(learner)
    assert view.status == "achieved" and view.percent == 100
    assert goal.achieved_at is not None


def test_a_goal_completed_after_its_deadline_is_missed(app, content):
    user = make_user()
    module = live_item(ContentKind.MODULE, MODULE)
    goal = create_goal(user, GoalFields(kind="complete_module", item=module, deadline=TODAY,
                                        starts_on=TODAY - timedelta(days=5)))
    db.session.commit()
    take_quiz(user, {"q1": True, "q2": True}, now=datetime.now(UTC) + timedelta(days=2))
    later = TODAY + timedelta(days=3)
    [view] = goals_overview(user, today=later)
    assert view.status == "missed" and view.percent == 100 and goal.achieved_at is None
    assert view.when == "Deadline passed 3 days ago"


def test_performance_goals_plug_into_a_sales_measure(app, monkeypatch):
    user = make_user()
    create_goal(user, GoalFields(kind="revenue", target=50000, deadline=TODAY + timedelta(9)))
    create_goal(user, GoalFields(kind="repeat_rate", target=40, deadline=TODAY + timedelta(9)))
    db.session.commit()
    revenue, repeat = goals_overview(user)
    assert revenue.progress is None and revenue.detail == "No sales data yet"
    assert revenue.status == repeat.status == "no_data"

    seen = []
    values = {"revenue": 30000.0, "repeat_rate": 0.5}

    def measure(person, spans, as_of):  # noqa: ANN001, ANN202
        seen.append((person.id, [(goal.kind, goal.starts_on, until) for goal, until in spans]))
        return {goal.id: values[goal.kind] for goal, _until in spans}

    monkeypatch.setattr(goal_progress, "_MEASURE", [measure])
    revenue, repeat = goals_overview(user)
    # both goals measured in one call, each up to today
    assert seen == [(user.id, [("revenue", TODAY, TODAY), ("repeat_rate", TODAY, TODAY)])]
    assert revenue.percent == 60 and revenue.status == "on_track"
    assert revenue.detail == "€30,000 so far, of €50,000."
    # a rate above its target is on track, but only achieved once its period is over
    assert repeat.percent == 100 and repeat.status == "on_track"
    [repeat_later] = [v for v in goals_overview(user, today=TODAY + timedelta(10))
                      if v.kind == "repeat_rate"]
    assert repeat_later.status == "achieved"
    values["revenue"] = 50000.0
    assert goals_overview(user)[0].status == "achieved"


def test_the_dashboard_summary_partial(app, content):
    user = make_user()
    with app.test_request_context():
        empty = render_template("learn/_goals_summary.html", goals=goals_overview(user))
        assert "Set a goal" in empty and 'href="/learn/goals/new"' in empty
        create_goal(user, GoalFields(kind="won_deals", target=5, title="Five deals",
                                     deadline=TODAY + timedelta(days=3)))
        create_goal(user, GoalFields(kind="complete_module", title="Product range",
                                     item=live_item(ContentKind.MODULE, MODULE),
                                     deadline=TODAY + timedelta(days=3)))
        part = render_template("learn/_goals_summary.html", goals=goals_overview(user))
    assert "Five deals" in part and "No sales data yet" in part
    assert "Product range" in part and '<progress max="100" value="0"' in part
    assert "On track" in part and "3 days left" in part
    assert 'href="/learn/goals/"' in part and "style=" not in part


# --- editing and archiving --------------------------------------------------------------------

def test_edit_a_goal(client, content, learner):
    goal = create_goal(learner, GoalFields(kind="satisfaction", target=85,
                                           deadline=TODAY + timedelta(days=20)))
    db.session.commit()
    page = html(client.get(f"/learn/goals/{goal.id}"))
    assert 'value="85"' in page and "Customer satisfaction of 85 %" in page
    response = post_form(client, f"/learn/goals/{goal.id}", {
        "kind": "satisfaction", "target": "92,5", "title": "Happy customers",
        "starts_on": TODAY.isoformat(), "deadline": SOON})
    assert response.status_code == 302, html(response)
    db.session.refresh(goal)
    assert goal.title == "Happy customers" and goal.target == 0.925
    assert goal.deadline.isoformat() == SOON


def test_a_goal_whose_deadline_passed_can_still_be_edited_without_moving_it(client, learner):
    goal = Goal(user_id=learner.id, kind="won_deals", title="Old", target=3,
                starts_on=TODAY - timedelta(days=40), deadline=TODAY - timedelta(days=10))
    db.session.add(goal)
    db.session.commit()
    data = {"kind": "won_deals", "target": "3", "title": "Old, renamed",
            "starts_on": goal.starts_on.isoformat(), "deadline": goal.deadline.isoformat()}
    assert post_form(client, f"/learn/goals/{goal.id}", data).status_code == 302
    data["deadline"] = (TODAY - timedelta(days=5)).isoformat()
    assert "The deadline is in the past" in html(post_form(client, f"/learn/goals/{goal.id}",
                                                           data))
    assert "Missed" in html(client.get(URL))


def test_archive_a_goal(client, learner):
    goal = create_goal(learner, GoalFields(kind="won_deals", target=3, title="Three deals",
                                           deadline=TODAY + timedelta(days=20)))
    db.session.commit()
    response = post_form(client, f"/learn/goals/{goal.id}/archive")
    assert response.status_code == 302
    page = html(client.get(URL))
    assert "Archived goals (1)" in page and "No goals yet" in page
    assert client.get(f"/learn/goals/{goal.id}").status_code == 404
    with pytest.raises(DomainError):
        update_goal(goal, GoalFields(kind="won_deals", target=4, deadline=goal.deadline))


def test_another_persons_goal_is_404(client, learner):
    other = make_user(email="other@example.com")
    goal = create_goal(other, GoalFields(kind="won_deals", target=3, title="Not yours",
                                         deadline=TODAY + timedelta(days=20)))
    db.session.commit()
    assert client.get(f"/learn/goals/{goal.id}").status_code == 404
    data = {"kind": "won_deals", "target": "1", "deadline": SOON}
    assert post_form(client, f"/learn/goals/{goal.id}", data).status_code == 404
    assert post_form(client, f"/learn/goals/{goal.id}/archive").status_code == 404
    assert client.get("/learn/goals/999999").status_code == 404
    assert "Not yours" not in html(client.get(URL))
    db.session.refresh(goal)
    assert goal.target == 3 and goal.archived_at is None


def test_goal_forms_need_a_csrf_token(client, content, learner):
    goal = create_goal(learner, GoalFields(kind="won_deals", target=3,
                                           deadline=TODAY + timedelta(days=20)))
    db.session.commit()
    data = {"kind": "won_deals", "target": "5", "deadline": SOON}
    for url in ("/learn/goals/new", f"/learn/goals/{goal.id}", f"/learn/goals/{goal.id}/archive"):
        for token in ({}, {"csrf_token": "forged"}):
            assert client.post(url, data={**data, **token}).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Goal)) == 1
    db.session.refresh(goal)
    assert goal.target == 3 and goal.archived_at is None
    # the same post with the page's token goes through
    token = page_token(client, f"/learn/goals/{goal.id}")
    assert client.post(f"/learn/goals/{goal.id}",
                       data={**data, "csrf_token": token}).status_code == 302
