"""A small organisation with known learning records, for the xAPI tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from lms.extensions import db
from lms.learning.attempts import doc_for, start_attempt, submit
from lms.learning.catalog import live_item
from lms.learning.completion import mark_read, record_opened, update_completion_for_quiz
from lms.models import ContentKind, Role, User
from lms.quiz.grading import correct_response
from tests.factories import make_team, make_user
from tests.learning_helpers import sync, write_practice

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class Org:
    admin: User
    manager_a: User
    manager_b: User
    alice: User  # team A: read the module, failed then passed the quiz: module completed
    bob: User  # team A: opened the follow-up module only
    carol: User  # team B: read the module, failed the quiz once


def take_quiz(user: User, right: int, when: datetime) -> None:
    """One graded attempt with ``right`` of the practice quiz's 5 questions answered right and
    the rest wrong or blank (the last one blank)."""
    quiz = live_item(ContentKind.QUIZ, "practice-quiz")
    attempt = start_attempt(user, quiz, now=when)
    questions = {q.id: q for q in doc_for(attempt).questions}
    rows = attempt.questions
    answers = {row.question_id: correct_response(questions[row.question_id])
               for row in rows[:right]}
    wrong = {"cups": "12", "family": 2, "telemetry": True, "name": "Acme",
             "pairs": ["60", "25"]}
    for row in rows[right:-1]:
        answers[row.question_id] = wrong[row.question_id]
    submit(attempt, answers, now=when + timedelta(minutes=7, seconds=30.5))
    update_completion_for_quiz(user.id, quiz, now=when + timedelta(minutes=7, seconds=30.5))


def build_org(root) -> Org:  # noqa: ANN001 - the content copy's root
    write_practice(root)
    sync(root)
    manager_a = make_user(Role.MANAGER, email="ma@example.com")
    manager_b = make_user(Role.MANAGER, email="mb@example.com")
    team_a = make_team("Team A", managers=[manager_a])
    team_b = make_team("Team B", managers=[manager_b])
    org = Org(admin=make_user(Role.ADMIN, email="admin@example.com"), manager_a=manager_a,
              manager_b=manager_b,
              alice=make_user(email="alice@example.com", team=team_a),
              bob=make_user(email="bob@example.com", team=team_a),
              carol=make_user(email="carol@example.com", team=team_b))
    module = live_item(ContentKind.MODULE, "practice-module")
    follow_up = live_item(ContentKind.MODULE, "follow-up-module")
    record_opened(org.alice, module, now=T0)
    mark_read(org.alice, module, now=T0 + timedelta(minutes=10))
    take_quiz(org.alice, 2, T0 + timedelta(minutes=15))
    take_quiz(org.alice, 5, T0 + timedelta(hours=1))
    record_opened(org.bob, follow_up, now=T0 + timedelta(days=1))
    mark_read(org.carol, module, now=T0 + timedelta(days=2))
    take_quiz(org.carol, 1, T0 + timedelta(days=2, minutes=5))
    db.session.commit()
    return org
