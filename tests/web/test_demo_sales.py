"""The demo's sales: 15 months of deals through the real import, with the built-in effect of
lms/demo/sales.py visible to the impact analysis."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from lms.analytics import impact as service
from lms.demo import build_demo
from lms.demo.sales import sales_export
from lms.extensions import db
from lms.models import Sale, SalesImport, User
from lms.security import Scope
from tests.learning_helpers import sync

TODAY = date(2026, 11, 26)


def test_the_demo_sales_arrive_through_the_import_with_their_effect(app, content_copy):
    sync(content_copy)
    summary = build_demo(seed=2026, today=TODAY)
    db.session.commit()
    [record] = db.session.scalars(select(SalesImport)).all()
    assert record.preset == "generic" and record.source == "brewline-crm-export.csv"
    assert record.added > 5000 and f"{record.added} deals of 15 months" in summary

    first, last = db.session.execute(select(func.min(Sale.created_on),
                                            func.max(Sale.closed_on))).one()
    assert (TODAY - first).days >= 450 and last < TODAY
    stages = dict(db.session.execute(select(Sale.stage, func.count()).group_by(Sale.stage)).all())
    assert stages["won"] > 1500 and stages["lost"] > 2000 and stages["open"] > 50
    scales = set(db.session.scalars(select(Sale.satisfaction_scale).distinct()))
    assert scales == {None, 5, 10}
    counts = db.session.execute(select(
        func.count(Sale.complaint_on), func.count(Sale.complaint_resolved_on),
        func.count(Sale.follow_up_on),
        func.count(Sale.id).filter(Sale.user_id.is_(None)))).one()
    assert counts[0] > 200 and 0 < counts[1] < counts[0] and counts[2] > 1000 and counts[3] > 50
    repeat = db.session.scalar(select(func.count()).select_from(
        select(Sale.customer_key).where(Sale.stage == "won").group_by(Sale.customer_key)
        .having(func.count() > 1).subquery()))
    assert repeat > 200
    reps = db.session.scalars(select(User).where(User.role == "learner")
                              .order_by(User.email)).all()
    assert sales_export(reps, seed=2026, today=TODAY) == sales_export(reps, seed=2026,
                                                                       today=TODAY)

    # The effect the module docstring and the README describe: onboarding scores go with
    # the win rate after onboarding; customer insight with the follow-up rate.
    def figure(slug: str, measure: str) -> service.Figure:
        params = service.params_from(app.config, kind="path", slug=slug, measure=measure,
                                     window_days=90, today=TODAY)
        return service.run(Scope(everyone=True), params).figure

    win = figure("new-hire-onboarding", "win_rate")
    assert win.enough and win.pearson.r > 0.3
    follow = figure("customer-insight", "follow_up_rate")
    assert follow.enough and follow.pearson.r > 0.2
