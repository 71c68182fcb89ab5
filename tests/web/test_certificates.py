"""Certificates that expire: the path is not complete any more, and taking it again renews it.

Times are relative to now, because the pages judge "expired" by the real clock.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from lms.analytics.readiness import Rules, Status
from lms.analytics.readiness_sql import compute_report
from lms.clock import local_today
from lms.extensions import db
from lms.learning.assignments import AssignmentStatus, assign, status_of
from lms.learning.attempts import doc_for, start_attempt, submit
from lms.learning.catalog import live_item
from lms.learning.completion import (
    mark_read,
    path_progress,
    record_opened,
    update_completion_for_quiz,
)
from lms.learning.dashboard import build_dashboard
from lms.learning.standing import standing
from lms.models import ContentKind, PathCompletion, Role, utcnow
from lms.quiz.grading import correct_response
from lms.security import Scope
from tests.conftest import login
from tests.factories import make_user
from tests.learning_helpers import PATH, sync, write_practice

EARLIER = utcnow() - timedelta(days=60)  # the path was completed then; valid for 30 days


def take_quiz(user, quiz, right: int, when):  # noqa: ANN001, ANN201
    attempt = start_attempt(user, quiz, now=when)
    questions = {q.id: q for q in doc_for(attempt).questions}
    answers = {row.question_id: correct_response(questions[row.question_id])
               for row in attempt.questions[:right]}
    submit(attempt, answers, now=when + timedelta(minutes=5))
    update_completion_for_quiz(user.id, quiz, now=when + timedelta(minutes=5))


@pytest.fixture
def expired(app, content_copy):  # noqa: ANN001, ANN201
    """Ria completed the practice path 60 days ago; its certificate lasted 30 days."""
    write_practice(content_copy, max_attempts=2)
    (content_copy / "content" / "paths" / "practice-path.yaml").write_text(
        PATH + "certificate_validity_days: 30\n")
    sync(content_copy)
    path = live_item(ContentKind.PATH, "practice-path")
    module = live_item(ContentKind.MODULE, "practice-module")
    follow = live_item(ContentKind.MODULE, "follow-up-module")
    quiz = live_item(ContentKind.QUIZ, "practice-quiz")
    ria = make_user(email="ria@example.com", name="Ria Renew")
    assignment = assign(ria, path, due_date=EARLIER.date() + timedelta(days=10))
    mark_read(ria, module, now=EARLIER)
    take_quiz(ria, quiz, 5, EARLIER + timedelta(hours=1))
    mark_read(ria, follow, now=EARLIER + timedelta(hours=2))
    db.session.commit()
    return ria, path, module, follow, quiz, assignment


def certificate(user, path) -> PathCompletion:  # noqa: ANN001
    return db.session.query(PathCompletion).filter_by(user_id=user.id, path_id=path.id).one()


def test_a_certificate_is_complete_until_it_expires(expired):
    ria, path, module, follow, quiz, assignment = expired
    issued = certificate(ria, path)
    assert issued.expires_at == EARLIER + timedelta(hours=2, days=30)

    before = path_progress(ria.id, path, now=EARLIER + timedelta(days=29))
    assert before.certified and not before.expired and before.required_done == 2
    assert status_of(assignment, EARLIER.date() + timedelta(days=29)) is AssignmentStatus.COMPLETE

    after = path_progress(ria.id, path)
    assert after.expired and not after.certified
    assert [s["renew"] for s in after.steps] == [True, True]
    assert after.required_done == 0 and after.next_step["item"].id == module.id
    # The assignment list, the dashboard and the reminders agree: not complete.
    assert status_of(assignment, local_today()) is AssignmentStatus.OVERDUE
    entry = build_dashboard(ria).items[0]
    assert not entry.complete and entry.overdue
    assert build_dashboard(ria).next_step["item"].id == module.id


def test_taking_the_path_again_renews_the_certificate(expired):
    ria, path, module, follow, quiz, assignment = expired
    # Passed once already, and one of two attempts used: the renewal counts attempts anew.
    state = standing(ria, quiz)
    assert state.decision.allowed and not state.passed and state.attempts_left == 2

    now = utcnow()
    take_quiz(ria, quiz, 1, now - timedelta(minutes=30))  # 20 %: not passed
    take_quiz(ria, quiz, 5, now - timedelta(minutes=20))
    db.session.commit()
    progress = path_progress(ria.id, path)
    assert progress.expired and [s["renew"] for s in progress.steps] == [False, True]
    assert progress.required_done == 1 and progress.next_step["item"].id == follow.id
    assert certificate(ria, path).expires_at == EARLIER + timedelta(hours=2, days=30)

    # The module without a quiz: opened again. Now every step is taken again.
    record_opened(ria, follow, now=now - timedelta(minutes=10))
    db.session.commit()
    renewed = certificate(ria, path)
    assert renewed.completed_at == now - timedelta(minutes=10)
    assert renewed.expires_at == now - timedelta(minutes=10) + timedelta(days=30)
    assert path_progress(ria.id, path).certified
    assert status_of(assignment, local_today()) is AssignmentStatus.COMPLETE
    assert build_dashboard(ria).items[0].complete
    # The first completion of each module stays: it is when the person first learnt it.
    assert standing(ria, quiz).passed


def test_an_opened_module_before_the_expiry_does_not_count(expired):
    ria, path, module, follow, quiz, assignment = expired
    record_opened(ria, follow, now=EARLIER + timedelta(days=20))  # while still valid
    db.session.commit()
    progress = path_progress(ria.id, path)
    assert progress.expired and [s["renew"] for s in progress.steps] == [True, True]


def test_the_pages_say_what_to_do(expired, client):
    ria, path, module, follow, quiz, assignment = expired
    login(client, ria.email)
    html = client.get("/learn/").get_data(as_text=True)
    assert "Certificate expired" in html and "0 of 2 required modules renewed" in html
    html = client.get("/learn/paths/practice-path").get_data(as_text=True)
    assert "Your certificate expired on" in html
    assert "Pass the quiz again" in html and "Read again" in html
    html = client.get("/learn/quizzes/practice-quiz").get_data(as_text=True)
    assert "already passed" not in html


def test_the_readiness_report_counts_a_lapsed_path_as_overdue(expired):
    ria, path, module, follow, quiz, assignment = expired
    scope, today = Scope(everyone=True), local_today()
    row = compute_report(scope, Rules(), today).rows[0]
    # The modules stay complete; the assignment is past due and its certificate has lapsed.
    assert (row.figures.completed, row.figures.overdue) == (2, 1)
    assert row.assessment.status is Status.OVERDUE
    # While it was valid the same assignment was complete.
    earlier = compute_report(scope, Rules(), EARLIER.date() + timedelta(days=29)).rows[0]
    assert earlier.figures.overdue == 0 and earlier.assessment.status is Status.READY

    now = utcnow()
    take_quiz(ria, quiz, 5, now - timedelta(minutes=20))
    record_opened(ria, follow, now=now - timedelta(minutes=10))
    db.session.commit()
    row = compute_report(scope, Rules(), today).rows[0]
    assert row.figures.overdue == 0 and row.assessment.status is Status.READY


def test_the_manager_drill_down_shows_the_lapsed_certificate(expired, app, client):  # noqa: ANN001
    ria, path, module, follow, quiz, assignment = expired
    make_user(Role.ADMIN, email="boss@example.com", name="Boss")
    db.session.commit()
    login(client, "boss@example.com")
    html = client.get(f"/manage/reports/people/{ria.id}").get_data(as_text=True)
    # Shown as the day in the organisation's time zone.
    local = certificate(ria, path).expires_at.astimezone(ZoneInfo(app.config["TIMEZONE"]))
    assert f"Certificate expired {local.day} {local:%b %Y}" in html
    assert "2 of 2" in html  # the modules themselves stay complete
    # The profile facts live on the same page.
    assert "ria@example.com" in html and "Last login" in html
