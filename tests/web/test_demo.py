"""The demo organisation: who is in it, that it is repeatable, and that every role can log in."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from lms.demo import DEMO_PASSWORD, build_demo
from lms.extensions import db
from lms.models import Attempt, Role, Team, User
from tests.conftest import login


def test_demo_organisation(app):
    build_demo(seed=7, today=date(2026, 11, 26))
    db.session.commit()
    counts = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    assert counts == {"admin": 1, "trainer": 1, "manager": 3, "learner": 36}
    teams = db.session.scalars(select(Team)).all()
    assert len(teams) == 3
    assert all(len(t.managers) == 1 and len([m for m in t.members if m.role == "learner"]) == 12
               for t in teams)
    hires = db.session.scalars(select(User.hire_date).where(User.role == "learner")).all()
    assert min(hires) >= date(2025, 5, 26) and max(hires) <= date(2026, 11, 26)


def test_demo_is_deterministic(app):
    build_demo(seed=7, today=date(2026, 11, 26))
    # Team names, not ids: PostgreSQL sequences do not go back on rollback.
    people = (select(User.email, User.name, User.hire_date, Team.name)
              .outerjoin(Team, User.team_id == Team.id).order_by(User.email))
    first = db.session.execute(people).all()
    db.session.rollback()
    build_demo(seed=7, today=date(2026, 11, 26))
    again = db.session.execute(people).all()
    assert first == again


def test_every_demo_role_lands_on_its_own_page(app):
    build_demo(seed=7)
    db.session.commit()
    expected = {
        "admin@demo.test": ("/admin/people", "People"),
        "trainer@demo.test": ("/author/", "Training content"),
        "manager2@demo.test": ("/manage/", "Team Randstad"),
        "rep01@demo.test": ("/learn/", "Assigned to you"),
    }
    for email, (start, text) in expected.items():
        client = app.test_client()
        assert login(client, email, DEMO_PASSWORD).status_code == 302
        assert client.get("/").headers["Location"] == start
        assert text in client.get(start).get_data(as_text=True), email
    # A demo salesperson hired a year ago has a year of sales, training and goals on My results.
    veteran = db.session.scalar(select(User.email).where(User.role == "learner")
                                .order_by(User.hire_date, User.email).limit(1))
    client = app.test_client()
    login(client, veteran, DEMO_PASSWORD)
    page = client.get("/learn/results/").get_data(as_text=True)
    assert page.count('class="chart results-chart"') == 10
    assert "Training completed" in page and 'class="results-mark results-mark--goal"' in page
    assert "On track?" in page and "No sales imported yet" not in page


def test_cli_demo_syncs_the_content_first_and_refuses_a_database_with_people(runner):
    # Nothing synced yet: the demo syncs the content as `lms content sync` would, so the
    # organisation gets its training.
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "No training content in the database yet: syncing it first" in result.output
    assert "rep01@demo.test" in result.output
    assert db.session.scalar(select(func.count()).select_from(Attempt)) > 100
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 1 and "already has people" in again.output
    quiet = runner.invoke(args=["demo", "--if-empty"])
    assert quiet.exit_code == 0 and "not loaded again" in quiet.output
    assert db.session.scalar(select(func.count()).select_from(User).where(
        User.role == Role.LEARNER.value)) == 36


def test_cli_demo_refuses_without_the_paths_its_training_follows(runner, content_copy):
    (content_copy / "content" / "paths" / "new-hire-onboarding.yaml").unlink()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 1
    assert "the demo follows the learning paths new-hire-onboarding" in result.stderr
    assert "run `lms content sync`" in result.stderr
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_every_demo_salesperson_has_follow_ups_and_complaints_to_act_on(app):
    from lms.sales.worklist import rules_from, team_counts
    from lms.security import Scope

    day = date(2026, 11, 26)
    build_demo(seed=7, today=day)
    db.session.commit()
    counts = {c.user_id: c for c in team_counts(Scope(everyone=True),
                                                 rules_from(app.config, day))}
    # Everyone hired two months ago or more (the newest have hardly won a deal yet).
    hired = db.session.execute(select(User.id, User.hire_date).where(User.role == "learner"))
    settled = [uid for uid, hire in hired if (day - hire).days > 60]
    assert len(settled) >= 25 and set(settled) <= set(counts)
    # Three follow-ups where their deals allow it (a few won only one or two deals in the
    # weeks the page lists), and two open complaints each.
    assert all(c.due + c.overdue >= 1 and c.complaints >= 2
               for uid, c in counts.items() if uid in settled), counts
    assert sum(c.due + c.overdue >= 3 for c in counts.values()) >= 25
    counts = list(counts.values())
    # Some are due, some overdue, some complaints open long: every part of the page shows.
    assert sum(c.due for c in counts) and sum(c.overdue for c in counts)
    assert sum(c.long_open for c in counts)


def test_demo_boosters_make_retention_vary(app):
    """Demo learners answered boosters since onboarding; abler people kept more."""
    from sqlalchemy import Integer

    from lms.demo.training import aptitude
    from lms.models import BoosterReview
    from tests.conftest import REPO
    from tests.learning_helpers import sync

    sync(REPO)
    build_demo(people=12)
    shares = dict(db.session.execute(
        select(BoosterReview.user_id, func.avg(func.cast(BoosterReview.correct, Integer)))
        .group_by(BoosterReview.user_id)).all())
    assert len(shares) >= 6
    people = sorted((aptitude(2026, db.session.get(User, uid)), share)
                    for uid, share in shares.items())
    low, high = people[: len(people) // 2], people[len(people) // 2:]
    assert sum(s for _, s in high) / len(high) > sum(s for _, s in low) / len(low)
    assert max(shares.values()) - min(shares.values()) > 0.2


def test_some_demo_learners_get_their_boosters_by_mail(app):
    """About one in three with boosters asked for them by mail, and some have boosters
    waiting today: ``lms reminders send`` on the demo sends booster mails."""
    from lms.clock import local_today
    from lms.models import BoosterMail
    from lms.reminders.send import BOOSTERS, plan_reminders
    from tests.conftest import REPO
    from tests.learning_helpers import sync

    sync(REPO)
    build_demo(people=12)
    chosen = db.session.scalar(select(func.count()).select_from(BoosterMail))
    assert 1 <= chosen <= 12
    plan = plan_reminders(local_today(), days_before=3)
    assert any(p.logs == [(None, BOOSTERS)] for p in plan.mails)
