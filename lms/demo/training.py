"""The demo organisation's training history, made through the same services the site uses.

Every salesperson gets the onboarding path (due 30 days after their hire date) and, once they
have been with the company for three months, the customer-insight path (due after 90 days).
They then work through the modules in order, reading each and taking its quiz. In a demo with a
rollout of customer insight (``lms.demo.rollout``) its members get that path from their wave
instead, and begin it no earlier than the wave's start.

The built-in effect, which the sales generator relies on: each person has a hidden aptitude
``a`` drawn from a standard normal distribution. On an attempt they answer each question
correctly with probability ``sigmoid(1.2 + 1.1·a + 0.6·(attempt − 1))``: abler people score
higher, and everyone improves on a retake. A person works through a module in 1 to 8 days
(slower with lower aptitude); about one in six stalls for a while, so some assignments are
overdue. Nothing happens before the hire date or after today.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from lms.content.documents import (
    Matching,
    ModuleDoc,
    MultipleResponse,
    Numeric,
    PathDoc,
    Question,
    ShortText,
    SingleChoice,
    TrueFalse,
)
from lms.errors import DomainError
from lms.learning.assignments import assign
from lms.learning.attempts import doc_for, start_attempt, submit
from lms.learning.catalog import current_doc, live_item, live_items
from lms.learning.completion import mark_read, record_opened, update_completion_for_quiz
from lms.learning.standing import standing
from lms.models import ContentKind, User
from lms.progress import Progress, quiet
from lms.quiz.grading import correct_response

ONBOARDING = "new-hire-onboarding"
INSIGHT = "customer-insight"


def aptitude(seed: int, user: User) -> float:
    """The person's hidden aptitude: the same for the same seed and person, in every run."""
    return random.Random(f"{seed}:aptitude:{user.email}").gauss(0, 1)


def p_correct(a: float, attempt: int) -> float:
    return 1 / (1 + math.exp(-(1.2 + 1.1 * a + 0.6 * (attempt - 1))))


def wrong_response(question: Question, rng: random.Random) -> Any:
    """A plausible wrong answer of the right shape."""
    if isinstance(question, SingleChoice):
        wrong = [i for i, o in enumerate(question.options) if not o.correct]
        return rng.choice(wrong) if wrong else None
    if isinstance(question, MultipleResponse):
        size = len(question.options)
        return sorted(rng.sample(range(size), k=rng.randint(1, size)))
    if isinstance(question, TrueFalse):
        return not question.answer
    if isinstance(question, Numeric):
        best = correct_response(question)
        try:
            return str(round(float(str(best).replace(",", ".")) * 1.4 + 3, 2))
        except ValueError:
            return "0"
    if isinstance(question, ShortText):
        return rng.choice(["not sure", "the other one", ""])
    if isinstance(question, Matching):
        rights = [p.right for p in question.pairs]
        return rights[1:] + rights[:1]
    return None


@dataclass
class Clock:
    """Moves one person's time forward, never past today."""

    now: datetime
    end: datetime

    def advance(self, rng: random.Random, low_hours: float, high_hours: float) -> bool:
        self.now += timedelta(hours=rng.uniform(low_hours, high_hours))
        return self.now < self.end


def simulate_training(reps: list[User], *, seed: int, today: date,
                      waves: dict[int, date] | None = None,
                      progress: Progress = quiet) -> dict[str, int]:
    """``waves``: the start of each rollout member's wave of customer insight, by user id;
    their wave already gave them the assignment."""
    waves = waves or {}
    counts = {"assignments": 0, "attempts": 0, "completions": 0}
    paths = {slug: live_item(ContentKind.PATH, slug) for slug in (ONBOARDING, INSIGHT)}
    modules = live_items(ContentKind.MODULE)
    end = datetime.combine(today, time(17, 0), tzinfo=UTC)
    for number, rep in enumerate(reps, start=1):
        progress("training", number, len(reps))
        rng = random.Random(f"{seed}:training:{rep.email}")
        a = aptitude(seed, rep)
        tenure = (today - rep.hire_date).days
        plan = [(paths[ONBOARDING], 30)]
        if tenure >= 90 or rep.id in waves:
            plan.append((paths[INSIGHT], 90))
        start = datetime.combine(rep.hire_date, time(9, 0), tzinfo=UTC) + timedelta(days=1)
        clock = Clock(start, end)
        stall_after = rng.randint(1, 5) if rng.random() < 1 / 6 else None
        done = 0
        for path, due_days in plan:
            if path is None:
                continue
            if path is paths[INSIGHT] and rep.id in waves:
                # Nothing of the path before the wave starts: the person's time moves on to it.
                clock.now = max(clock.now, datetime.combine(waves[rep.id], time(9, 0),
                                                            tzinfo=UTC))
            else:
                assign(rep, path, days_after_hire=due_days)
            counts["assignments"] += 1
            doc = current_doc(path)
            if not isinstance(doc, PathDoc):
                continue
            for entry in doc.modules:
                module = modules.get(entry.module)
                if module is None or (not entry.required and rng.random() < 0.5):
                    continue
                if stall_after is not None and done >= stall_after:
                    # A stall of several weeks: the reason some demo assignments are overdue.
                    clock.now += timedelta(days=rng.randint(25, 60))
                    stall_after = None
                if not clock.advance(rng, 24 * (1 + 3 * (1 - min(max(a + 1, 0), 2) / 2)),
                                     24 * (3 + 5 * (1 - min(max(a + 1, 0), 2) / 2))):
                    break
                if _take_module(rep, module, rng, a, clock, counts):
                    done += 1
    return counts


def _take_module(rep: User, module, rng: random.Random, a: float, clock: Clock,  # noqa: ANN001
                 counts: dict[str, int]) -> bool:
    doc = current_doc(module)
    if not isinstance(doc, ModuleDoc):
        return False
    record_opened(rep, module, now=clock.now)
    if not clock.advance(rng, 0.3, 1.5):
        return False
    progress = mark_read(rep, module, now=clock.now)
    quiz = live_item(ContentKind.QUIZ, doc.quiz) if doc.quiz else None
    if quiz is None:
        counts["completions"] += progress.completed_at is not None
        return progress.completed_at is not None
    for number in range(1, 6):
        if not clock.advance(rng, 0.1, 2):
            return False
        try:
            attempt = start_attempt(rep, quiz, now=clock.now)
        except DomainError:
            # Out of attempts, or still cooling down: wait for the cooldown and try once more.
            state = standing(rep, quiz, now=clock.now)
            if state.decision.retry_at is None:
                return False
            clock.now = state.decision.retry_at + timedelta(minutes=rng.randint(5, 240))
            if clock.now >= clock.end:
                return False
            attempt = start_attempt(rep, quiz, now=clock.now)
        answers = _answers(attempt, rng, p_correct(a, number))
        clock.now += timedelta(minutes=rng.randint(4, 18))
        submit(attempt, answers, now=clock.now)
        update_completion_for_quiz(rep.id, quiz, now=clock.now)
        counts["attempts"] += 1
        if standing(rep, quiz, now=clock.now).passed:
            counts["completions"] += 1
            return True
    return False


def _answers(attempt, rng: random.Random, p: float) -> dict[str, Any]:  # noqa: ANN001
    by_id = {q.id: q for q in doc_for(attempt).questions}
    answers = {}
    for row in attempt.questions:
        question = by_id[row.question_id]
        answers[row.question_id] = (correct_response(question) if rng.random() < p
                                    else wrong_response(question, rng))
    return answers
