"""Hand-made sales, quiz-taking on a given day and a statement counter for the measure and
impact tests (the practice content of tests/learning_helpers.py)."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import event

from lms.demo.training import wrong_response
from lms.extensions import db
from lms.learning.attempts import doc_for, start_attempt, submit
from lms.learning.catalog import live_item
from lms.learning.completion import mark_read, update_completion_for_quiz
from lms.models import ContentKind, Sale, User
from lms.quiz.grading import correct_response

_numbers = itertools.count(1)


def d(text: str) -> date:
    return date.fromisoformat(text)


def add_sale(user: User | None, *, stage: str = "won", closed: str | None = "2026-01-10",
             created: str | None = None, amount: float = 1000.0, customer: str | None = None,
             satisfaction: float | None = None, scale: int | None = None,
             complaint: str | None = None, resolved: str | None = None,
             follow_up: str | None = None, crm_id: str | None = None) -> Sale:
    """One deal, written as the import writes it (no commit)."""
    n = next(_numbers)
    sale = Sale(crm_id=crm_id or f"T-{n:06d}", user_id=user.id if user else None,
                owner_email=user.email if user else "gone@example.com",
                customer_key=customer or f"CUST-{n}", customer_name=customer or f"Customer {n}",
                product="Office B60", stage=stage,
                created_on=d(created) if created else None,
                closed_on=d(closed) if closed and stage != "open" else None,
                amount=Decimal(str(amount)), currency="EUR", satisfaction=satisfaction,
                satisfaction_scale=scale, complaint_on=d(complaint) if complaint else None,
                complaint_resolved_on=d(resolved) if resolved else None,
                follow_up_on=d(follow_up) if follow_up else None)
    db.session.add(sale)
    return sale


@contextmanager
def statements() -> Iterator[list[str]]:
    """The SQL statements run inside the block."""
    seen: list[str] = []

    def listen(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)


def at(day: str) -> datetime:
    return datetime.combine(d(day), time(10, 0), tzinfo=UTC)


def train(user: User, day: str, correct: list[int]) -> None:
    """Read the practice module on ``day`` and take its quiz once per entry of ``correct``
    (how many of the five questions are answered right), an hour apart."""
    module = live_item(ContentKind.MODULE, "practice-module")
    quiz = live_item(ContentKind.QUIZ, "practice-quiz")
    mark_read(user, module, now=at(day))
    rng = random.Random(1)
    for n, right in enumerate(correct, start=1):
        when = at(day) + timedelta(hours=n)
        attempt = start_attempt(user, quiz, now=when)
        questions = doc_for(attempt).questions
        answers = {qu.id: correct_response(qu) if i < right else wrong_response(qu, rng)
                   for i, qu in enumerate(questions)}
        submit(attempt, answers, now=when + timedelta(minutes=5))
        update_completion_for_quiz(user.id, quiz, now=when + timedelta(minutes=5))
