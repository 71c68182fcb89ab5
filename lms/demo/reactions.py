"""The demo organisation's reactions: what its salespeople thought of the modules and paths they
completed, so that the trainers' reactions page has results to show.

Most completions are answered (about four in five), some are skipped ("not now") and a few are
still open, so a demo learner also sees the questions. Each module has its own level, drawn from
the seed and its name (some are found more useful or clearer than others), each person is a
little more or less generous, and about one answer in four has a comment, in English or Dutch.
Rows are written directly (the service's checks cost queries per row, and what it checks holds
here by construction): one query for the completions, one insert per batch.
"""

from __future__ import annotations

import random

from sqlalchemy import select

from lms.extensions import db
from lms.models import ContentItem, ModuleProgress, PathCompletion, Reaction, User

ANSWERED, SKIPPED = 0.8, 0.1

PRAISE = (
    "Very practical: I used the questions in a customer visit the next day.",
    "Clear examples, and short enough to do between two appointments.",
    "Good refresher on the product range.",
    "Zeer bruikbaar, ik heb het direct toegepast bij een klant.",
    "Duidelijk uitgelegd en lekker kort.",
    "Goede voorbeelden uit de praktijk.",
)
MIXED = (
    "Useful, but some parts repeat the previous module.",
    "More examples from real deals would help.",
    "Nuttig, maar de toets was lastiger dan de stof.",
    "Prima, al mag het wat minder tekst zijn.",
)
CRITICISM = (
    "Too theoretical for the field.",
    "Hard to follow without knowing the CRM first.",
    "Te lang en te weinig praktijk.",
    "Onduidelijk wat er in de toets gevraagd werd.",
)


def _level(seed: int, item: ContentItem) -> tuple[float, float, float]:
    """The module's or path's own level on the three questions."""
    rng = random.Random(f"{seed}:reaction-level:{item.kind}:{item.slug}")
    useful = rng.uniform(2.9, 4.6)
    return useful, min(4.8, max(2.4, useful + rng.uniform(-0.7, 0.5))), useful + rng.uniform(
        -0.6, 0.2)


def _score(value: float) -> int:
    return min(5, max(1, round(value)))


def _comment(rng: random.Random, mean: float) -> str:
    pool = PRAISE if mean >= 4 else CRITICISM if mean < 2.8 else MIXED
    return rng.choice(pool)


def simulate_reactions(reps: list[User], *, seed: int) -> int:
    """Reactions of ``reps`` to what they completed; how many were answered."""
    ids = [rep.id for rep in reps]
    if not ids:
        return 0
    emails = {rep.id: rep.email for rep in reps}
    completions: list[tuple[int, ContentItem, int | None]] = [
        (user_id, item, version_id or item.current_version_id)
        for user_id, item, version_id in db.session.execute(
            select(ModuleProgress.user_id, ContentItem, ModuleProgress.read_version_id)
            .join(ContentItem, ContentItem.id == ModuleProgress.module_id)
            .where(ModuleProgress.user_id.in_(ids), ModuleProgress.completed_at.is_not(None))
            .order_by(ModuleProgress.user_id, ModuleProgress.id))]
    completions += [
        (user_id, item, version_id or item.current_version_id)
        for user_id, item, version_id in db.session.execute(
            select(PathCompletion.user_id, ContentItem, PathCompletion.path_version_id)
            .join(ContentItem, ContentItem.id == PathCompletion.path_id)
            .where(PathCompletion.user_id.in_(ids))
            .order_by(PathCompletion.user_id, PathCompletion.id))]
    levels: dict[int, tuple[float, float, float]] = {}
    answered = 0
    rows = []
    for user_id, item, version_id in completions:
        if version_id is None:
            continue
        rng = random.Random(f"{seed}:reaction:{emails[user_id]}:{item.kind}:{item.slug}")
        draw = rng.random()
        if draw >= ANSWERED + SKIPPED:
            continue  # still to answer: the learner is asked on their next visit
        if draw >= ANSWERED:
            rows.append(Reaction(user_id=user_id, item_id=item.id, version_id=version_id))
            continue
        level = levels.setdefault(item.id, _level(seed, item))
        generosity = random.Random(f"{seed}:generosity:{emails[user_id]}").gauss(0, 0.45)
        scores = [_score(base + generosity + rng.gauss(0, 0.6)) for base in level]
        comment = _comment(rng, sum(scores) / 3) if rng.random() < 0.25 else ""
        rows.append(Reaction(user_id=user_id, item_id=item.id, version_id=version_id,
                             useful=scores[0], clear=scores[1], recommend=scores[2],
                             comment=comment))
        answered += 1
    db.session.add_all(rows)
    db.session.flush()
    return answered
