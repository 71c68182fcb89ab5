"""The quiz attempt life cycle: start (or resume), save answers, submit and grade.

An attempt is pinned to the quiz version it started on: its questions are drawn and its options
ordered once, with a seed kept on the attempt, and grading always uses that version. The rules
(attempt limit, cooldown, time limit with grace) are pure functions in ``lms.quiz.rules``; this
module applies them to stored attempts. Services flush; the view commits.
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from lms.content.documents import QuizDoc
from lms.errors import DomainError
from lms.extensions import db
from lms.learning.catalog import is_current_version, quiz_doc, shown_version
from lms.learning.completion import update_completion_for_quiz
from lms.learning.standing import standing
from lms.models import (
    Attempt,
    AttemptQuestion,
    AttemptStatus,
    ContentItem,
    Submission,
    User,
    utcnow,
)
from lms.quiz import rules
from lms.quiz.drawing import attempt_seed, draw_questions, option_order
from lms.quiz.grading import grade


def start_attempt(user: User, quiz: ContentItem, *, now: datetime | None = None) -> Attempt:
    """Resume the open attempt, or start a new one if the rules allow it.

    Two tabs starting at once both try to insert attempt number N; the unique constraints let
    exactly one succeed, and the view resumes that one when the flush fails.
    """
    now = now or utcnow()
    current = standing(user, quiz, now=now)
    if current.open_attempt is not None:
        attempt = current.open_attempt
        if not is_current_version(quiz, attempt.quiz_version_id) or expired(attempt, now):
            # The quiz changed or the time ran out while it was open: it ends on its own terms.
            finish_open_attempt(attempt, now=now)
            current = standing(user, quiz, now=now)
        else:
            return attempt
    if not current.decision.allowed:
        raise DomainError(current.decision.reason or _("You cannot start this quiz now."))

    # In the reader's language when the quiz is translated into it (same questions, same ids).
    version = shown_version(quiz)
    assert version is not None
    doc = quiz_doc(version)
    number = max((a.number for a in current.attempts), default=0) + 1
    # Kept in 31 bits so it fits an INTEGER column on every database.
    seed = attempt_seed(user.id, quiz.slug, number) % 2**31
    rng = random.Random(seed)
    ids = draw_questions([q.id for q in doc.questions], doc.settings.draw,
                         doc.settings.shuffle_questions, rng)
    by_id = {q.id: q for q in doc.questions}
    attempt = Attempt(user_id=user.id, quiz_id=quiz.id, quiz_version_id=version.id,
                      language=version.language, number=number, seed=seed,
                      status=AttemptStatus.OPEN.value, started_at=now,
                      deadline_at=rules.deadline(now, doc.settings.time_limit_minutes))
    for position, qid in enumerate(ids, start=1):
        question = by_id[qid]
        attempt.questions.append(AttemptQuestion(
            position=position, question_id=qid, max_points=float(question.points),
            option_order=option_order(question, doc.settings.shuffle_options, rng)))
    db.session.add(attempt)
    db.session.flush()
    return attempt


def expired(attempt: Attempt, now: datetime) -> bool:
    return attempt.deadline_at is not None and rules.is_late(now, attempt.deadline_at)


def doc_for(attempt: Attempt) -> QuizDoc:
    """The quiz exactly as it was when this attempt started."""
    return quiz_doc(attempt.quiz_version)


def save_responses(attempt: Attempt, responses: dict[str, Any], *,
                   now: datetime | None = None) -> bool:
    """Store responses (question id -> response). Returns False, saving nothing, when the
    time limit (plus grace) has passed."""
    now = now or utcnow()
    if attempt.status != AttemptStatus.OPEN.value:
        raise DomainError(_("This attempt has already been submitted."))
    if expired(attempt, now):
        return False
    for question in attempt.questions:
        if question.question_id in responses:
            question.response = responses[question.question_id]
            question.saved_at = now
    db.session.flush()
    return True


def submit(attempt: Attempt, responses: dict[str, Any] | None = None, *,
           now: datetime | None = None, reason: str = "submitted") -> Submission:
    """Grade the attempt against its own quiz version and record the one submission.

    Answers sent after the time limit and its grace are not taken: the attempt is graded with
    the answers saved by then, and the submission says so. A second submit raises
    IntegrityError on flush (unique attempt_id); the view shows the existing result.
    """
    now = now or utcnow()
    if attempt.status != AttemptStatus.OPEN.value:
        raise DomainError(_("This attempt has already been submitted."))
    late = expired(attempt, now)
    if responses and not late:
        save_responses(attempt, responses, now=now)
    doc = doc_for(attempt)
    by_id = {q.id: q for q in doc.questions}
    points = max_points = 0.0
    for question in attempt.questions:
        graded = grade(by_id[question.question_id], question.response,
                       multiple_response_scoring=doc.settings.multiple_response_scoring)
        question.points, question.result = graded.points, graded.correct
        points += graded.points
        max_points += graded.max_points
    percent = rules.percent(points, max_points)
    submission = Submission(attempt=attempt, submitted_at=now, late=late,
                            reason="timeout" if late and reason == "submitted" else reason,
                            points=round(points, 4), max_points=round(max_points, 4),
                            percent=round(percent, 2),
                            passed=rules.passed(percent, doc.settings.pass_mark))
    attempt.status = AttemptStatus.SUBMITTED.value
    db.session.add(submission)
    db.session.flush()
    return submission


def finish_open_attempt(attempt: Attempt, *, now: datetime | None = None) -> Submission:
    """End an attempt left open (time ran out, or the quiz changed) with its saved answers."""
    now = now or utcnow()
    reason = "timeout" if expired(attempt, now) else "quiz-changed"
    submission = submit(attempt, None, now=now, reason=reason)
    update_completion_for_quiz(attempt.user_id, attempt.quiz, now=now)
    return submission
