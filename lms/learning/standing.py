"""Where a person stands on a quiz, and which certificates they are renewing.

A path's certificate may expire (``certificate_validity_days``); the person renews it by taking
the path again, so while it has lapsed the quizzes of its required modules count only the
attempts started since it expired. Both halves live here because each needs the other: the
standing on a quiz depends on the lapsed certificates, and renewing a certificate depends on
the standing on its quizzes. ``attempts`` and ``completion`` both build on this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.content.documents import ModuleDoc, PathDoc
from lms.extensions import db
from lms.learning.catalog import current_doc, live_item, live_items, quiz_doc
from lms.models import (
    Attempt,
    AttemptStatus,
    ContentItem,
    ContentKind,
    ModuleProgress,
    PathCompletion,
    Submission,
    User,
    utcnow,
)
from lms.quiz import rules


@dataclass(frozen=True)
class QuizStanding:
    """Where a person stands on a quiz: what they have used and what they may do next."""

    attempts: list[Attempt]
    graded: list[Submission]
    open_attempt: Attempt | None
    attempts_left: int | None
    result: float | None  # the module's result under the grading method
    passed: bool
    decision: rules.StartDecision


def attempts_of(user: User, quiz: ContentItem) -> list[Attempt]:
    return attempts_by_quiz(user, [quiz.id])[quiz.id]


def standing(user: User, quiz: ContentItem, *, now: datetime | None = None) -> QuizStanding:
    """Where the person stands now. While a certificate that needs this quiz has expired, only
    the attempts since it expired count: the quiz is taken again to renew it."""
    now = now or utcnow()
    return standing_since(user, quiz, renewal_since(user.id, quiz, now), now=now)


def attempts_by_quiz(user: User, quiz_ids: list[int]) -> dict[int, list[Attempt]]:
    """``attempts_of`` for several quizzes in one statement, by quiz id."""
    found: dict[int, list[Attempt]] = {quiz_id: [] for quiz_id in quiz_ids}
    if quiz_ids:
        for attempt in db.session.scalars(
                select(Attempt).where(Attempt.user_id == user.id, Attempt.quiz_id.in_(quiz_ids))
                # Their grades with them: the standing reads each (not one lazy load apiece).
                .options(selectinload(Attempt.submission)).order_by(Attempt.number)):
            found[attempt.quiz_id].append(attempt)
    return found


def standing_since(user: User, quiz: ContentItem, since: datetime | None, *,
                   now: datetime, attempts: list[Attempt] | None = None) -> QuizStanding:
    """The standing counting only attempts started at or after ``since`` (all when None);
    ``attempts`` still lists every attempt, so numbering carries on. ``attempts``: the
    person's attempts of this quiz, when the caller has read them already."""
    doc = quiz_doc(quiz.current_version)
    settings = doc.settings
    if attempts is None:
        attempts = attempts_of(user, quiz)
    counted = [a for a in attempts if since is None or a.started_at >= since]
    graded = [a.submission for a in counted if a.submission is not None]
    open_attempt = next((a for a in attempts if a.status == AttemptStatus.OPEN.value), None)
    result = rules.module_result([s.percent for s in graded], settings.grading_method)
    passed = result is not None and rules.passed(result, settings.pass_mark)
    last_finished = max((s.submitted_at for s in graded), default=None)
    # In the organisation's time zone, so "try again at 14:05" reads right for the learner.
    zone = ZoneInfo(current_app.config["TIMEZONE"]) if current_app else UTC
    decision = rules.can_start(
        now.astimezone(zone), max_attempts=settings.max_attempts, used=len(graded),
        last_finished_at=last_finished.astimezone(zone) if last_finished else None,
        cooldown_minutes=settings.cooldown_minutes,
        passed_already=passed, has_open_attempt=open_attempt is not None)
    return QuizStanding(attempts, graded, open_attempt,
                        rules.attempts_left(settings.max_attempts, len(graded)), result, passed,
                        decision)


# --- certificates being renewed ------------------------------------------------------------------

def expired_certificates(user_id: int, now: datetime) -> list[PathCompletion]:
    """The person's path certificates that had lapsed by ``now``."""
    return list(db.session.scalars(select(PathCompletion).where(
        PathCompletion.user_id == user_id, PathCompletion.expires_at.is_not(None),
        PathCompletion.expires_at <= now)))


def required_modules(path_id: int, modules: dict[str, ContentItem]
                     ) -> list[tuple[ContentItem, ModuleDoc]]:
    """The live path's required modules that exist, with their documents, in path order."""
    path = db.session.get(ContentItem, path_id)
    doc = current_doc(path) if path is not None and path.retired_at is None else None
    if not isinstance(doc, PathDoc):
        return []
    found = []
    for entry in doc.modules:
        item = modules.get(entry.module)
        module_doc = current_doc(item) if item is not None else None
        if entry.required and isinstance(module_doc, ModuleDoc):
            found.append((item, module_doc))
    return found


def renewal_since(user_id: int, quiz: ContentItem, now: datetime) -> datetime | None:
    """From when this quiz must be passed again: the latest expiry among the person's expired
    certificates of paths with a required module ending in it; None when there is none."""
    expired = expired_certificates(user_id, now)
    if not expired:
        return None
    modules = live_items(ContentKind.MODULE)
    return max((c.expires_at for c in expired
                if any(doc.quiz == quiz.slug for _, doc in required_modules(c.path_id, modules))),
               default=None)


def renewed_modules(user: User, modules: list[tuple[ContentItem, ModuleDoc]],
                    since: datetime, progress: dict[int, ModuleProgress], *,
                    now: datetime) -> set[int]:
    """Which of these modules were taken again since ``since`` (an expiry): the quiz passed in
    attempts started since then, or, without a quiz, the module opened since then."""
    done = set()
    quizzes = {item.id: live_item(ContentKind.QUIZ, doc.quiz) if doc.quiz else None
               for item, doc in modules}
    # Every quiz's attempts in one statement: one per module made each submit of someone
    # renewing a certificate grow with the path.
    attempts = attempts_by_quiz(user, [quiz.id for quiz in quizzes.values() if quiz is not None])
    for item, _doc in modules:
        quiz = quizzes[item.id]
        if quiz is not None:
            if standing_since(user, quiz, since, now=now, attempts=attempts[quiz.id]).passed:
                done.add(item.id)
        elif (row := progress.get(item.id)) is not None and row.last_opened_at >= since:
            done.add(item.id)
    return done
