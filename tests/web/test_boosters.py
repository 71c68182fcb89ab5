"""Spaced boosters through the web: made when the quiz is passed, answered on the dashboard
one at a time, a wrong answer back sooner, the day's limit, pausing, and privacy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.boosters.switches import save_setting
from lms.extensions import db
from lms.learning.catalog import live_item
from lms.models import BoosterCard, BoosterReview, ContentKind, utcnow
from tests.conftest import csrf_from, login
from tests.factories import make_user
from tests.learning_helpers import RIGHT, sync, write_practice
from tests.web.test_learning import read, send, start

MODULE = "practice-module"


def switch_on(slug: str = MODULE, kind: ContentKind = ContentKind.MODULE, per_day: int = 3):
    save_setting(live_item(kind, slug), enabled=True, per_day=per_day, by=None)
    db.session.commit()


def cards(email: str = "new@example.com") -> list[BoosterCard]:
    return db.session.scalars(select(BoosterCard).join(BoosterCard.quiz).order_by(
        BoosterCard.question_id)).all() if email else []


def make_due(*question_ids: str) -> None:
    for card in db.session.scalars(select(BoosterCard)):
        if not question_ids or card.question_id in question_ids:
            card.due_at = utcnow() - timedelta(hours=1)
    db.session.commit()


@pytest.fixture
def passed(app, content_copy):  # noqa: ANN001, ANN201
    """A learner who passed the practice quiz with boosters on for its module."""
    write_practice(content_copy)
    sync(content_copy)
    switch_on()
    make_user(email="new@example.com", name="Nina New")
    client = app.test_client()
    login(client, "new@example.com")
    read(client)
    send(client, start(client), RIGHT)
    return client


def dashboard(client) -> str:  # noqa: ANN001
    return client.get("/learn/").get_data(as_text=True)


def answer(client, card: BoosterCard, value: str):  # noqa: ANN001, ANN201
    token = csrf_from(dashboard(client))
    return client.post(f"/learn/boosters/{card.id}",
                       data={"csrf_token": token, f"q-{card.question_id}": value,
                             "shown": card.question_id, "shown_at": "0"})


def test_passing_makes_a_card_per_question_not_yet_due(passed):
    made = cards()
    assert sorted(c.question_id for c in made) == sorted(RIGHT)
    assert all(c.due_at > utcnow() for c in made)
    page = dashboard(passed)
    assert "Today's boosters" in page and "No boosters due today." in page


def test_no_cards_without_the_switch(app, content_copy):
    write_practice(content_copy)
    sync(content_copy)
    make_user(email="new@example.com")
    client = app.test_client()
    login(client, "new@example.com")
    read(client)
    send(client, start(client), RIGHT)
    assert cards() == []
    assert "Today's boosters" not in dashboard(client)


def test_answer_right_and_wrong_a_wrong_one_comes_back_sooner(passed):
    make_due("cups", "telemetry")
    page = dashboard(passed)
    assert "How many cups a day" in page  # due first (same due time: by id)
    by_id = {c.question_id: c for c in cards()}
    response = answer(passed, by_id["cups"], "60")
    assert response.status_code == 302 and "answered=" in response.headers["Location"]
    page = passed.get(response.headers["Location"]).get_data(as_text=True)
    assert "Right!" in page and "BrewLink is standard" in page  # feedback, then the next one
    answer(passed, by_id["telemetry"], "true")  # wrong
    page = dashboard(passed)
    assert "No boosters due today." in page or "That's all for today" in page
    db.session.expire_all()
    by_id = {c.question_id: c for c in cards()}
    assert by_id["telemetry"].due_at < by_id["cups"].due_at
    reviews = db.session.scalars(select(BoosterReview).order_by(BoosterReview.id)).all()
    assert [(r.correct, r.rating) for r in reviews] == [(True, 3), (False, 1)]
    assert reviews[0].quiz_version_id == by_id["cups"].learned_version_id


def test_at_most_the_day_s_limit(passed):
    switch_on(per_day=1)
    make_due()
    page = dashboard(passed)
    assert "1 of 1 left today" in page
    due = [c for c in cards() if f"q-{c.question_id}" in page]
    assert len(due) == 1
    answer(passed, due[0], "whatever")
    page = dashboard(passed)
    assert "That's all for today" in page and "q-" not in page.split("boosters-title")[1][:400]
    # A card that is due but over the limit is refused.
    other = next(c for c in cards() if c.id != due[0].id)
    response = answer(passed, other, "x")
    assert response.status_code == 302
    assert db.session.scalar(select(BoosterReview.id).where(
        BoosterReview.card_id == other.id)) is None


def test_pause_and_resume(passed):
    make_due()
    token = csrf_from(dashboard(passed))
    # A day in the past is refused and changes nothing.
    passed.post("/learn/boosters/pause", data={"csrf_token": token, "until": "2001-01-01"})
    assert "Boosters are paused" not in dashboard(passed)
    until = (utcnow() + timedelta(days=14)).date().isoformat()
    response = passed.post("/learn/boosters/pause", data={"csrf_token": token, "until": until})
    assert response.status_code == 302
    page = dashboard(passed)
    assert "Boosters are paused until" in page and "How many cups" not in page
    passed.post("/learn/boosters/resume", data={"csrf_token": csrf_from(page)})
    assert "How many cups" in dashboard(passed) or "q-" in dashboard(passed)


def test_csrf_and_another_person_s_card(passed, app):
    make_due()
    card = cards()[0]
    response = passed.post(f"/learn/boosters/{card.id}", data={f"q-{card.question_id}": "1"})
    assert response.status_code == 400
    make_user(email="other@example.com")
    other = app.test_client()
    login(other, "other@example.com")
    token = csrf_from(other.get("/account").get_data(as_text=True))
    response = other.post(f"/learn/boosters/{card.id}",
                          data={"csrf_token": token, f"q-{card.question_id}": "1"})
    assert response.status_code == 404
    assert other.get("/learn/?answered=1").status_code == 200
    assert db.session.scalar(select(BoosterReview.id)) is None


def test_an_updated_question_says_so_and_a_removed_one_retires(passed, content_copy):
    from tests.learning_helpers import quiz_yaml

    make_due()
    text = quiz_yaml().replace("How many cups a day does the Office B60 make?",
                               "How many cups a day does the B60 brew?")
    # Drop the true/false question from the quiz.
    start_tf = text.index("  - id: telemetry")
    end_tf = text.index("  - id: name")
    (content_copy / "quizzes" / "practice-quiz.yaml").write_text(text[:start_tf] + text[end_tf:])
    sync(content_copy)
    page = dashboard(passed)
    while "q-cups" not in page:  # answer the others until the changed one shows
        card = next(c for c in cards() if f"q-{c.question_id}" in page and c.retired_at is None)
        answer(passed, card, "x")
        page = dashboard(passed)
    assert "This question was updated since you learned it." in page
    assert "B60 brew" in page
    db.session.expire_all()
    telemetry = next(c for c in cards() if c.question_id == "telemetry")
    assert telemetry.retired_at is not None


def test_the_manager_switch(app, content_copy):
    from lms.models import BoosterSetting, Role

    write_practice(content_copy)
    sync(content_copy)
    make_user(email="new@example.com")
    learner = app.test_client()
    login(learner, "new@example.com")
    read(learner)
    send(learner, start(learner), RIGHT)  # passed before boosters were on
    assert learner.get("/manage/boosters/").status_code == 403
    token = csrf_from(learner.get("/account").get_data(as_text=True))
    assert learner.post("/manage/boosters/path/practice-path",
                        data={"csrf_token": token, "path-practice-path-enabled": "y",
                              "path-practice-path-per_day": "2"}).status_code == 403
    make_user(Role.TRAINER, email="trainer@example.com")
    trainer = app.test_client()
    login(trainer, "trainer@example.com")
    assert trainer.get("/manage/boosters/").status_code == 403
    assert db.session.scalar(select(BoosterSetting.item_id)) is None

    make_user(Role.MANAGER, email="boss@example.com")
    boss = app.test_client()
    login(boss, "boss@example.com")
    page = boss.get("/manage/boosters/").get_data(as_text=True)
    assert "Practice path" in page and "Practice module" in page
    token = csrf_from(page)
    # Bad input: a clear message, nothing saved.
    boss.post("/manage/boosters/path/practice-path",
              data={"csrf_token": token, "path-practice-path-enabled": "y",
                    "path-practice-path-per_day": "9"})
    assert db.session.scalar(select(BoosterSetting.item_id)) is None
    assert "Number must be between 1 and 3" in boss.get("/manage/boosters/").get_data(
        as_text=True)
    assert boss.post("/manage/boosters/quiz/practice-quiz",
                     data={"csrf_token": token}).status_code == 404
    response = boss.post("/manage/boosters/path/practice-path",
                         data={"csrf_token": token, "path-practice-path-enabled": "y",
                               "path-practice-path-per_day": "2"})
    assert response.status_code == 302
    assert "Boosters are on for Practice path, at most 2 a day." in boss.get(
        "/manage/boosters/").get_data(as_text=True)
    # Those who passed before get their cards at once.
    assert len(cards()) == len(RIGHT)
    # The module's own setting wins over its path's: off for the module, no boosters.
    boss.post("/manage/boosters/module/practice-module",
              data={"csrf_token": token, "module-practice-module-per_day": "1"})
    make_due()
    assert "Today's boosters" not in dashboard(learner)


def test_retention_on_the_dashboard_the_drill_down_and_the_readiness_report(passed, app):
    from lms.models import Role, User
    from tests.factories import make_team

    learner = db.session.scalar(select(User).where(User.email == "new@example.com"))
    boss = make_user(Role.MANAGER, email="boss@example.com")
    team = make_team("Team Noord", managers=[boss])
    learner.team_id = team.id
    # Learned long ago and never practised: predicted recall has fallen below 0.7.
    for card in cards():
        card.last_review_at = utcnow() - timedelta(days=400)
    db.session.commit()
    page = dashboard(passed)
    assert "What you have kept" in page and "At risk" in page
    client = app.test_client()
    login(client, "boss@example.com")
    report = client.get("/manage/reports/").get_data(as_text=True)
    assert ">Retained<" in report and "1 module at risk" in report
    csv = client.get("/manage/reports/readiness.csv").get_data(as_text=True)
    assert "Retained: predicted recall (%)" in csv.splitlines()[0]
    person = client.get(f"/manage/reports/people/{learner.id}").get_data(as_text=True)
    assert "Predicted recall now" in person and "Practice module" in person
    # Another team's manager does not see the person at all.
    make_user(Role.MANAGER, email="other@example.com")
    other = app.test_client()
    login(other, "other@example.com")
    assert other.get(f"/manage/reports/people/{learner.id}").status_code == 404


def test_the_retention_command(passed, runner):
    import json

    from lms.models import User
    from tests.factories import make_team

    learner = db.session.scalar(select(User).where(User.email == "new@example.com"))
    learner.team_id = make_team("Team Noord").id
    db.session.commit()
    make_due("cups")
    answer(passed, next(c for c in cards() if c.question_id == "cups"), "59")  # wrong
    result = runner.invoke(args=["report", "retention", "--format", "json"])
    assert result.exit_code == 0, result.output
    [record] = json.loads(result.output)
    assert (record["name"], record["module"], record["cards"]) == (
        "Nina New", "Practice module", len(RIGHT))
    assert (record["answered_60_days"], record["correct_60_days"]) == (1, 0)
    assert 0 < record["predicted_recall"] <= 1
    table = runner.invoke(args=["report", "retention", "--team", "Team Noord"]).output
    assert "Nina New" in table and "Practice module" in table and "0%" in table
    csv = runner.invoke(args=["report", "retention", "--format", "csv"]).output
    assert csv.splitlines()[0].startswith("name,email,team,module")
    bad = runner.invoke(args=["report", "retention", "--team", "Nobody"])
    assert bad.exit_code == 1 and "no active team" in bad.output


def test_pause_from_the_account_page(passed):
    page = passed.get("/account").get_data(as_text=True)
    assert "Pause boosters until" in page
    until = (utcnow() + timedelta(days=3)).date().isoformat()
    response = passed.post("/learn/boosters/pause",
                           data={"csrf_token": csrf_from(page), "until": until, "next": "account"})
    assert response.headers["Location"].endswith("/account")
    page = passed.get("/account").get_data(as_text=True)
    assert "Boosters are paused until" in page and "Resume boosters now" in page


def test_a_pause_date_that_is_not_a_day_is_a_form_error(app):
    from lms.models import BoosterPause
    from tests.conftest import page_token

    make_user(email="pia@example.com")
    db.session.commit()
    client = app.test_client()
    login(client, "pia@example.com")
    for text in ("abc", "31-12-2026"):
        response = client.post("/learn/boosters/pause",
                               data={"until": text, "csrf_token": page_token(client, "/learn/")})
        assert response.status_code in (302, 400), text
        assert client.get("/learn/").status_code == 200
    assert db.session.scalar(select(BoosterPause)) is None


def test_a_row_added_by_another_request_meanwhile_is_taken_not_a_500(app, monkeypatch):
    """A double click on Save: both requests looked, found nothing, and add the row; the
    second takes the first's instead of failing on the primary key."""
    from lms.boosters import rows
    from lms.boosters.mail import choose_mail
    from lms.models import BoosterMail

    person = make_user(email="dora@example.com")
    db.session.add(BoosterMail(user_id=person.id))   # the other request's row
    db.session.commit()
    real_get, looks = db.session.get, []

    def first_look_misses(model, key, **kwargs):  # noqa: ANN001, ANN202
        looks.append(model)
        return None if len(looks) == 1 else real_get(model, key, **kwargs)

    monkeypatch.setattr(rows.db.session, "get", first_look_misses)
    choose_mail(person, True)
    db.session.commit()
    monkeypatch.undo()
    assert len(looks) == 2
    assert db.session.scalar(select(func.count()).select_from(BoosterMail)) == 1


def test_a_card_answered_in_another_tab_meanwhile_is_not_answered_twice(passed):
    """Two tabs read the same due card; the first answer moves it on, the second (which read
    the old due time) records nothing."""
    from lms.boosters.cards import answer as record_answer
    from lms.boosters.cards import todays_boosters
    from lms.clock import local_today
    from lms.models import BoosterCard, User

    make_due("cups")
    person = db.session.scalar(select(User).where(User.id == cards()[0].user_id))
    booster = next(b for b in todays_boosters(person, local_today()).due
                   if b.card.question_id == "cups")
    # The other tab's answer, committed after this request read the card:
    db.session.execute(BoosterCard.__table__.update().where(BoosterCard.id == booster.card.id)
                       .values(due_at=utcnow() + timedelta(days=9)))
    assert record_answer(booster, "60") is None
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(BoosterReview)) == 0
