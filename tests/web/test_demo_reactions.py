"""The demo's reactions: most completions answered, scores that differ by module, comments in
English and Dutch, and several modules past the five-answer threshold on the trainer's page."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from lms.analytics.reactions import MIN_ANSWERS, item_results
from lms.demo import DEMO_PASSWORD, build_demo
from lms.extensions import db
from lms.models import ContentItem, ModuleProgress, PathCompletion, Reaction, User
from tests.conftest import login
from tests.learning_helpers import sync


def test_the_demo_has_reactions_to_show(app, content_copy):
    sync(content_copy)
    build_demo(seed=2026, today=date(2026, 11, 26))
    db.session.commit()
    completions = (db.session.scalar(select(func.count()).select_from(ModuleProgress)
                                     .where(ModuleProgress.completed_at.is_not(None)))
                   + db.session.scalar(select(func.count()).select_from(PathCompletion)))
    rows = db.session.scalars(select(Reaction)).all()
    answered = [r for r in rows if r.useful is not None]
    assert len(answered) >= 0.7 * completions
    assert any(r.useful is None for r in rows)  # some said "not now"
    assert len(rows) < completions  # and some are still to be asked

    comments = {r.comment for r in answered if r.comment}
    assert any("klant" in c or "toets" in c for c in comments)  # Dutch
    assert any("customer" in c or "examples" in c for c in comments)  # English

    modules = db.session.scalars(select(ContentItem).where(ContentItem.kind == "module")).all()
    shown = [results for results in map(item_results, modules) if results.shown]
    assert len(shown) >= 3 and all(r.count >= MIN_ANSWERS for r in shown)
    # Modules differ: not every module gets the same average usefulness.
    assert max(r.total.useful for r in shown) - min(r.total.useful for r in shown) >= 0.5

    client = app.test_client()
    login(client, "trainer@demo.test", DEMO_PASSWORD)
    page = client.get("/author/reactions/").get_data(as_text=True)
    assert "What learners think of the training" in page
    assert page.count('data-label="Useful for the work">') >= 3  # averages, not "n of 5"
    names = db.session.scalars(select(User.name).join(Reaction, Reaction.user_id == User.id))
    assert not any(name in page for name in names)


def test_the_demo_reactions_are_the_same_every_time(app, content_copy):
    """The same completions get the same reactions. (Rebuilding the whole demo would not
    show it on PostgreSQL: its sequences do not go back on rollback, and attempts draw their
    questions by id, so a second demo's completions differ.)"""
    from lms.demo.reactions import simulate_reactions

    sync(content_copy)
    query = (select(ContentItem.slug, func.count(Reaction.id), func.sum(Reaction.useful),
                    func.sum(Reaction.recommend))
             .join(Reaction, Reaction.item_id == ContentItem.id)
             .group_by(ContentItem.slug).order_by(ContentItem.slug))
    build_demo(seed=7, today=date(2026, 11, 26), people=12)
    first = db.session.execute(query).all()
    reps = db.session.scalars(select(User).where(User.role == "learner")
                              .order_by(User.email)).all()
    db.session.execute(Reaction.__table__.delete())
    simulate_reactions(reps, seed=7)
    assert db.session.execute(query).all() == first and first
