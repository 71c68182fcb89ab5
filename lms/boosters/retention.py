"""Retention per person and module, from booster cards and answers (pure functions).

Two figures:

* **answered correctly**: the share of booster answers that were right over the last
  ``WINDOW_DAYS`` days (none when nothing was answered in that window);
* **predicted recall**: FSRS's retrievability now, averaged over the module's live cards.

A module is *at risk* when its predicted recall is below the organisation's threshold
(``LMS_RETENTION_AT_RISK``, default 0.7).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from lms.boosters.scheduling import retrievability

WINDOW_DAYS = 60


def window_start(now: datetime) -> datetime:
    return now - timedelta(days=WINDOW_DAYS)


@dataclass(frozen=True)
class Retention:
    cards: int
    answered: int
    correct: int
    #: average predicted recall 0-1, None without cards
    recall: float | None

    @property
    def correct_share(self) -> float | None:
        return self.correct / self.answered if self.answered else None

    def at_risk(self, threshold: float) -> bool:
        return self.recall is not None and self.recall < threshold

    def record(self) -> dict:
        share = self.correct_share
        return {"cards": self.cards, "answered_60_days": self.answered,
                "correct_60_days": self.correct,
                "correct_share": None if share is None else round(share, 3),
                "predicted_recall": None if self.recall is None else round(self.recall, 3)}


def retention(cards: Iterable[tuple[float | None, datetime | None]], answered: int,
              correct: int, now: datetime) -> Retention:
    """``cards``: (stability, last review) of each live card; ``answered``/``correct``: the
    booster answers in the window."""
    recalls = [retrievability(s, last, now) for s, last in cards]
    return Retention(len(recalls), answered, correct,
                     sum(recalls) / len(recalls) if recalls else None)


def combine(parts: Iterable[Retention]) -> Retention | None:
    """One person's modules together: recall averaged per card, answers summed."""
    parts = list(parts)
    if not parts:
        return None
    cards = sum(p.cards for p in parts)
    recall_sum = sum((p.recall or 0) * p.cards for p in parts)
    return Retention(cards, sum(p.answered for p in parts), sum(p.correct for p in parts),
                     recall_sum / cards if cards else None)
