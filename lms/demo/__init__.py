"""The demo organisation: Brewline's sales force and its history, the same every time for the
same seed and day. ``build_demo`` is what ``lms demo`` runs."""

from __future__ import annotations

from datetime import date

from lms.clock import local_today
from lms.demo.people import DEMO_PASSWORD, build_people, database_is_empty, demo_logins
from lms.demo.sales import simulate_sales
from lms.demo.training import INSIGHT, ONBOARDING, simulate_training
from lms.extensions import db
from lms.learning.catalog import live_item
from lms.models import ContentKind

__all__ = ["DEMO_PASSWORD", "build_demo", "database_is_empty", "demo_logins", "missing_paths"]


def missing_paths() -> list[str]:
    """The learning paths the demo's training follows that are not in the catalogue: without
    them the demo would be an organisation with no training."""
    return [slug for slug in (ONBOARDING, INSIGHT) if live_item(ContentKind.PATH, slug) is None]


def build_demo(*, seed: int = 2026, today: date | None = None) -> str:
    today = today or local_today()
    reps = build_people(seed=seed, today=today)
    training = simulate_training(reps, seed=seed, today=today)
    db.session.flush()
    # After training: sales depend on training scores (the effect is in lms/demo/sales.py).
    deals = simulate_sales(reps, seed=seed, today=today)
    return (f"3 teams, {len(reps)} salespeople with {training['assignments']} assignments, "
            f"{training['attempts']} quiz attempts and {training['completions']} completed "
            f"modules, and {deals} deals of 15 months imported from a CRM export")
