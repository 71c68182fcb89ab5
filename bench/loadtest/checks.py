"""What must hold in the database after a load run, given what the learners recorded.

* every submit made produced exactly one graded submission, and nothing else was graded (a
  submit cut off by the end of the run, which the learners avoid, may have produced none);
* every answer the server accepted in a save is stored, and the grade was computed from the
  saved answers (the submits sent none);
* no response was a server error and no request failed.

Runs in an app context on the database the server used.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from lms.extensions import db
from lms.learn.answers import responses_from_form
from lms.learning.attempts import doc_for
from lms.models import Attempt, Submission, User
from lms.quiz.grading import grade

from .accounts import learner_email


def check(swarm: dict[str, Any]) -> list[str]:
    """Every broken invariant, as a sentence; an empty list when all hold."""
    problems: list[str] = []
    statuses = {int(code): n for code, n in swarm["statuses"].items()}
    server_errors = sum(n for code, n in statuses.items() if code >= 500)
    if server_errors:
        problems.append(f"{server_errors} responses were server errors (5xx)")
    if statuses.get(0):
        problems.append(f"{statuses[0]} requests got no response")
    problems += [f"request failed: {e}" for e in swarm["errors"]]
    problems += [f"learner code raised: {e}" for e in swarm["exceptions"]]

    emails = [learner_email(n) for n in range(swarm["learners"])]
    learner_ids = select(User.id).where(User.email.in_(emails))
    graded = Counter(db.session.scalars(
        select(Submission.attempt_id).join(Attempt).where(Attempt.user_id.in_(learner_ids))))
    submits = Counter(swarm["submits"])
    cut_off = set(swarm["interrupted"])
    for attempt_id, made in sorted(submits.items()):
        # A submit cut off by the end of the run may not have reached the server.
        allowed = {0, made} if attempt_id in cut_off else {made}
        if graded[attempt_id] not in allowed:
            problems.append(f"attempt {attempt_id}: {made} submit(s) made, "
                            f"{graded[attempt_id]} graded submission(s)")
    for attempt_id in sorted(set(graded) - set(submits)):
        problems.append(f"attempt {attempt_id}: graded without a submit")

    saved = {int(k): v for k, v in swarm["saves"].items()}
    attempts = db.session.scalars(
        select(Attempt).where(Attempt.id.in_(saved))
        .options(selectinload(Attempt.questions), selectinload(Attempt.submission)))
    found = 0
    for attempt in attempts:
        found += 1
        problems += _check_answers(attempt, saved[attempt.id])
    if found != len(saved):
        problems.append(f"{len(saved) - found} attempts with saved answers are missing")
    return problems


def _check_answers(attempt: Attempt, saves: list[list[list[str]]]) -> list[str]:
    doc = doc_for(attempt)
    by_id = {q.id: q for q in doc.questions}
    drawn = [by_id[row.question_id] for row in attempt.questions]
    expected: dict[str, Any] = {}
    for fields in saves:
        expected.update(responses_from_form(drawn, MultiDict([tuple(f) for f in fields])))
    problems = []
    points = 0.0
    for row in attempt.questions:
        if row.question_id in expected and row.response != expected[row.question_id]:
            problems.append(f"attempt {attempt.id}, question {row.question_id}: saved "
                            f"{expected[row.question_id]!r}, stored {row.response!r}")
        points += grade(by_id[row.question_id], expected.get(row.question_id),
                        multiple_response_scoring=doc.settings.multiple_response_scoring).points
    if attempt.submission is not None and abs(attempt.submission.points - points) > 1e-3:
        problems.append(f"attempt {attempt.id}: graded {attempt.submission.points} points, "
                        f"its saved answers are worth {round(points, 4)}")
    return problems


def counts(swarm: dict[str, Any]) -> dict[str, int]:
    """Figures for the summary line: logins, saves, submits, and submissions stored."""
    emails = [learner_email(n) for n in range(swarm["learners"])]
    stored = db.session.scalar(
        select(func.count()).select_from(Submission).join(Attempt).join(User)
        .where(User.email.in_(emails)))
    return {"logins": swarm["logins"], "saves": sum(len(v) for v in swarm["saves"].values()),
            "submits": len(swarm["submits"]), "submissions": stored or 0}
