"""The learner's side through the web: reading, the attempt life cycle, every quiz rule,
version pinning and completion."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.models import Attempt, ModuleProgress, PathCompletion, Submission, utcnow
from tests.conftest import login, page_token
from tests.factories import make_user
from tests.learning_helpers import RIGHT, form_data, sync, write_practice

QUIZ = "/learn/quizzes/practice-quiz"


@pytest.fixture
def learner(app, content_copy):  # noqa: ANN001, ANN201
    def setup(**settings: object):  # noqa: ANN202
        write_practice(content_copy, **settings)
        sync(content_copy)
        make_user(email="new@example.com", name="Nina New")
        client = app.test_client()
        login(client, "new@example.com")
        return client
    return setup


def start(client) -> int:  # noqa: ANN001
    response = client.post(f"{QUIZ}/start", data={"csrf_token": page_token(client, QUIZ)})
    assert response.status_code == 302, response.get_data(as_text=True)
    match = re.search(r"/learn/attempts/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def send(client, attempt_id: int, answers: dict, action: str = "submit"):  # noqa: ANN001, ANN201
    data = form_data(answers)
    data["action"] = action
    data["csrf_token"] = page_token(client, QUIZ)
    return client.post(f"/learn/attempts/{attempt_id}/save", data=data)


def result_page(client, attempt_id: int) -> str:  # noqa: ANN001
    return client.get(f"/learn/attempts/{attempt_id}/result").get_data(as_text=True)


def read(client, slug: str = "practice-module"):  # noqa: ANN001, ANN201
    return client.post(f"/learn/modules/{slug}/read",
                       data={"csrf_token": page_token(client, f"/learn/modules/{slug}")})


def test_reading_a_module_is_recorded(learner):
    client = learner()
    page = client.get("/learn/modules/practice-module").get_data(as_text=True)
    assert "The Office B60 makes 60 cups a day." in page and "About 5 minutes" in page
    row = db.session.scalar(select(ModuleProgress))
    assert row.first_opened_at is not None and row.read_at is None
    assert read(client).headers["Location"] == QUIZ
    row = db.session.scalar(select(ModuleProgress))
    assert row.read_at is not None and row.completed_at is None  # the quiz is still to pass


def test_a_locked_module_says_why(learner):
    client = learner()
    response = client.get("/learn/modules/follow-up-module")
    assert response.status_code == 403
    assert "This module opens once you have completed" in response.get_data(as_text=True)
    assert "Practice module" in response.get_data(as_text=True)


def test_attempt_life_cycle_and_full_marks(learner):
    client = learner()
    read(client)
    attempt_id = start(client)
    # A reload or a second start shows the same attempt with the same questions.
    assert start(client) == attempt_id
    page = client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)
    assert "Question 5" in page and 'name="q-cups"' in page
    response = send(client, attempt_id, RIGHT)
    assert response.headers["Location"].endswith(f"/learn/attempts/{attempt_id}/result")
    page = result_page(client, attempt_id)
    assert "100%" in page and "Passed" in page
    submission = db.session.scalar(select(Submission))
    assert (submission.points, submission.max_points, submission.passed) == (5, 5, True)
    attempt = db.session.get(Attempt, attempt_id)
    assert [q.question_id for q in attempt.questions] == ["cups", "family", "telemetry",
                                                           "name", "pairs"]
    assert attempt.questions[0].response == "60" and attempt.questions[0].points == 1
    # Read and passed: the module is complete, which unlocks the next one.
    assert db.session.scalar(select(ModuleProgress.completed_at)) is not None
    assert client.get("/learn/modules/follow-up-module").status_code == 200


def test_score_and_feedback_are_explained(learner):
    client = learner()
    attempt_id = start(client)
    send(client, attempt_id, {**RIGHT, "cups": "59", "family": 1, "pairs": ["60", "25"]})
    page = result_page(client, attempt_id)
    assert "40%" in page and "Not passed" in page
    assert "2 of 5 points" in page
    assert "Correct answer:" in page  # after_submit is the default


def test_saved_answers_survive_and_resume(learner):
    client = learner()
    attempt_id = start(client)
    send(client, attempt_id, {"cups": "60", "name": "Brewline"}, action="save")
    page = client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)
    assert 'value="60"' in page and 'value="Brewline"' in page
    assert start(client) == attempt_id  # resumed, not a new attempt


def test_double_submit_grades_once(learner):
    client = learner()
    attempt_id = start(client)
    send(client, attempt_id, RIGHT)
    again = send(client, attempt_id, {"cups": "1"})
    assert again.headers["Location"].endswith("/result")
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 1
    assert db.session.scalar(select(Submission.percent)) == 100


def test_attempt_limit(learner):
    client = learner(max_attempts=2)
    for _ in range(2):
        send(client, start(client), {"cups": "1"})
    response = client.post(f"{QUIZ}/start", data={"csrf_token": page_token(client, QUIZ)})
    assert response.headers["Location"] == QUIZ
    assert "You have used all 2 attempts." in client.get(QUIZ).get_data(as_text=True)


def test_cooldown(learner):
    client = learner(cooldown_minutes=60)
    send(client, start(client), {"cups": "1"})
    page = client.get(QUIZ).get_data(as_text=True)
    assert "You can try again at" in page and "cooldown of 60 minutes" in page
    # An hour later the next attempt may start.
    db.session.execute(Submission.__table__.update().values(
        submitted_at=utcnow() - timedelta(minutes=61)))
    db.session.commit()
    assert start(client)


@pytest.mark.parametrize(("method", "expected"), [
    ("highest", 100), ("last", 100), ("first", 40), ("average", 53.33),
])
def test_grading_method_decides_the_module_result(learner, method, expected):
    client = learner(grading_method=method)
    send(client, start(client), {"cups": "60", "family": 0})           # 40 %
    send(client, start(client), {"cups": "60"})                         # 20 %
    send(client, start(client), RIGHT)                                  # 100 %
    page = client.get(QUIZ).get_data(as_text=True)
    shown = re.search(r'class="score">(\d+)%', page).group(1)
    assert int(shown) == round(expected)
    passed = expected >= 60
    assert ("Passed" in page) == passed
    # The module is complete only when the result under the method passes.
    read(client)
    assert (db.session.scalar(select(ModuleProgress.completed_at)) is not None) == passed


def test_time_limit_grades_the_answers_saved_in_time(learner):
    client = learner(time_limit_minutes=10)
    attempt_id = start(client)
    page = client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)
    assert "Time limit: submit by" in page
    send(client, attempt_id, {"cups": "60", "family": 0}, action="save")
    # Eleven minutes later the learner submits everything: too late for the new answers.
    db.session.execute(Attempt.__table__.update().values(
        started_at=utcnow() - timedelta(minutes=11),
        deadline_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    send(client, attempt_id, RIGHT)
    page = result_page(client, attempt_id)
    assert "submitted after the time limit" in page
    submission = db.session.scalar(select(Submission))
    assert submission.late and submission.points == 2


def test_an_expired_attempt_is_graded_when_reopened(learner):
    client = learner(time_limit_minutes=5)
    attempt_id = start(client)
    send(client, attempt_id, {"cups": "60"}, action="save")
    db.session.execute(Attempt.__table__.update().values(
        deadline_at=utcnow() - timedelta(minutes=5)))
    db.session.commit()
    response = client.get(f"/learn/attempts/{attempt_id}")
    assert response.headers["Location"].endswith("/result")
    assert db.session.scalar(select(Submission.reason)) == "timeout"


def test_a_quiz_change_mid_attempt_keeps_the_attempt_on_its_version(learner, content_copy):
    client = learner()
    attempt_id = start(client)
    version_before = db.session.get(Attempt, attempt_id).quiz_version_id
    quiz_file = content_copy / "quizzes" / "practice-quiz.yaml"
    # The trainer changes the right answer of "cups" and removes "name".
    text = quiz_file.read_text().replace("value: 60", "value: 62")
    text = text[:text.index("  - id: name")] + text[text.index("  - id: pairs"):]
    quiz_file.write_text(text)
    sync(content_copy)

    page = client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)
    assert "updated since you started" in page and 'name="q-name"' in page
    send(client, attempt_id, RIGHT)
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.quiz_version_id == version_before
    assert db.session.scalar(select(Submission.percent)) == 100  # graded on its own version
    # The quiz itself has moved on: its current version is the new one.
    assert attempt.quiz.current_version_id != version_before


def test_an_open_attempt_is_ended_when_the_quiz_changed_and_a_new_one_is_started(
        learner, content_copy):
    client = learner()
    first = start(client)
    send(client, first, {"cups": "60"}, action="save")
    quiz_file = content_copy / "quizzes" / "practice-quiz.yaml"
    quiz_file.write_text(quiz_file.read_text().replace("pass_mark: 60", "pass_mark: 50"))
    sync(content_copy)
    # Starting again finishes the old attempt on its version, with the saved answer.
    second = client.post(f"{QUIZ}/start", data={"csrf_token": page_token(client, QUIZ)})
    assert second.headers["Location"] != f"/learn/attempts/{first}"
    old = db.session.get(Attempt, first)
    assert old.submission.reason == "quiz-changed" and old.submission.points == 1


def test_reveal_after_pass_hides_answers_until_passed(learner):
    client = learner(reveal_answers="after_pass")
    attempt_id = start(client)
    send(client, attempt_id, {"cups": "1"})
    page = result_page(client, attempt_id)
    assert "Correct answer:" not in page and "shown once you pass" in page


def test_completion_of_module_without_quiz_and_of_the_path(learner):
    client = learner()
    read(client)
    send(client, start(client), RIGHT)
    assert db.session.scalar(select(func.count()).select_from(PathCompletion)) == 0
    read(client, "follow-up-module")
    completion = db.session.scalar(select(PathCompletion))
    assert completion is not None and completion.path.slug == "practice-path"
    page = client.get("/learn/paths/practice-path").get_data(as_text=True)
    assert "2 of 2 required modules complete" in page and "100%" in page


def test_attempts_are_private(learner, app):
    client = learner()
    attempt_id = start(client)
    make_user(email="other@example.com")
    other = app.test_client()
    login(other, "other@example.com")
    assert other.get(f"/learn/attempts/{attempt_id}").status_code == 404
    assert other.get(f"/learn/attempts/{attempt_id}/result").status_code == 404
