"""Demo worlds built to order: more people in sub-teams, Customer insight rolled out in waves,
and sales effects given on the command line that the generator then really has."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from lms.clock import local_today
from lms.demo import build_demo
from lms.demo.people import build_people
from lms.demo.rollout import roll_out_insight, rollout_seed
from lms.demo.training import INSIGHT
from lms.extensions import db
from lms.learning.catalog import live_item
from lms.models import Assignment, ContentKind, PathCompletion, Sale, Team, User
from lms.models.rollouts import Rollout
from lms.security import team_subtree
from tests.learning_helpers import sync

TODAY = date(2026, 11, 26)


def _people() -> list[tuple]:
    return db.session.execute(
        select(User.email, User.name, User.hire_date, Team.name)
        .outerjoin(Team, User.team_id == Team.id).order_by(User.email)).all()


def test_sixty_people_are_in_sub_teams_of_their_region_the_same_for_a_seed(app):
    reps = build_people(seed=7, today=TODAY, people=60)
    assert [r.email for r in reps[:2]] == ["rep01@demo.test", "rep02@demo.test"]
    assert reps[-1].email == "rep60@demo.test" and len({r.name for r in reps}) == 60
    regions = db.session.scalars(select(Team).where(Team.parent_id.is_(None))
                                 .order_by(Team.name)).all()
    assert [t.name for t in regions] == ["Team Noord", "Team Randstad", "Team Zuid en België"]
    for index, region in enumerate(regions):
        manager = region.managers[0]
        subs = region.children
        assert sorted(t.name for t in subs) == [f"{region.name} 1", f"{region.name} 2"]
        members = [r for r in reps if r.team_id in {t.id for t in subs}]
        assert len(members) == 20 and all(len([r for r in members if r.team_id == t.id]) <= 12
                                          for t in subs)
        assert all(r.manager_id == manager.id for r in members)
        # The regional manager sees the sub-teams through team scope.
        assert {t.id for t in subs} < team_subtree([region.id])
        assert manager.email == f"manager{index + 1}@demo.test"
    assert all(r.team is not None and r.team.parent in regions for r in reps)
    first = _people()
    db.session.rollback()
    build_people(seed=7, today=TODAY, people=60)
    assert _people() == first


def _insight_history(rollout: Rollout) -> None:
    """No member had Customer insight before their wave: the assignment is the wave's, dated
    its start, and nothing of the path was completed earlier."""
    path = rollout.item
    for member in rollout.members:
        start = datetime.combine(member.starts_on, time(9, 0), tzinfo=UTC)
        assignments = db.session.scalars(select(Assignment).where(
            Assignment.user_id == member.user_id, Assignment.item_id == path.id)).all()
        assert [a.id for a in assignments] == [member.assignment_id]
        assert assignments[0].assigned_at == start
        assert assignments[0].due_date == member.starts_on + timedelta(days=90)
        done = db.session.scalar(select(PathCompletion.completed_at).where(
            PathCompletion.user_id == member.user_id, PathCompletion.path_id == path.id))
        assert done is None or done > start


def test_a_randomised_rollout_of_customer_insight(app, content_copy):
    sync(content_copy)
    summary = build_demo(seed=11, today=TODAY, people=48, design="randomised")
    db.session.commit()
    [rollout] = db.session.scalars(select(Rollout)).all()
    made_on = TODAY - timedelta(days=180)
    assert rollout.item.slug == INSIGHT and rollout.design == "randomised"
    assert rollout.seed == rollout_seed(11) and rollout.made_at.date() == made_on
    assert rollout.first_start == made_on and rollout.interval_days == 90
    starts = {m.wave: m.starts_on for m in rollout.members}
    assert starts == {1: made_on, 2: made_on + timedelta(days=90)}
    assert all(m.assignment_id is not None for m in rollout.members)
    waves = Counter(m.wave for m in rollout.members)
    assert waves[1] >= 4 and waves[2] >= 4
    reps = db.session.scalars(select(User).where(User.role == "learner")).all()
    members = {m.user_id for m in rollout.members}
    early = {r.id for r in reps if (made_on - r.hire_date).days >= 90}
    assert members == early
    _insight_history(rollout)
    assert db.session.scalar(select(PathCompletion.id).where(
        PathCompletion.user_id.in_(members), PathCompletion.path_id == rollout.item_id)
        .limit(1)) is not None
    # Everyone else keeps the self-paced assignment after three months.
    path = live_item(ContentKind.PATH, INSIGHT)
    for rep in reps:
        if rep.id in members:
            continue
        assigned = db.session.scalars(select(Assignment).where(
            Assignment.user_id == rep.id, Assignment.item_id == path.id)).all()
        assert len(assigned) == (1 if (TODAY - rep.hire_date).days >= 90 else 0)
        assert all(a.due_days_after_hire == 90 for a in assigned)
    assert f"randomised rollout (wave 1, then the waitlist) of {len(members)} salespeople" \
        in summary and "effects on sales: the built-in ones" in summary


def test_staggered_waves_of_customer_insight(app, content_copy):
    sync(content_copy)
    reps = build_people(seed=3, today=TODAY, people=60)
    rollout = roll_out_insight(reps, design="staggered", seed=3, today=TODAY)
    first = TODAY - timedelta(days=330)
    assert rollout is not None and (rollout.design, rollout.waves) == ("staggered", 4)
    starts = {m.wave: m.starts_on for m in rollout.members}
    assert starts == {w: first + timedelta(days=60 * (w - 1)) for w in range(1, 5)}
    assert {m.user_id for m in rollout.members} == {
        r.id for r in reps if (first - r.hire_date).days >= 90}
    _insight_history(rollout)


@pytest.mark.parametrize(("args", "message"), [
    (["--effect", "customer-insight"], "'customer-insight' is not PATH:MEASURE=DELTA"),
    (["--effect", "sales-101:win_rate=0.1"], "unknown path 'sales-101': the demo's paths are "
                                             "new-hire-onboarding, customer-insight."),
    (["--effect", "customer-insight:cycle_days=2"], "the demo cannot cause 'cycle_days': "
                                                    "supported measures are win_rate,"),
    (["--effect", "customer-insight:win_rate=lots"], "'lots' in "
                                                     "'customer-insight:win_rate=lots' is not"),
    (["--effect", "customer-insight:win_rate=0.1", "--effect",
      "customer-insight:win_rate=0.05"], "customer-insight:win_rate is given twice."),
    (["--effect", "new-hire-onboarding:win_rate=0.9"], "would take the win probability from "
                                                       "0.28 to 1.18"),
    (["--people", "5"], "5 is not in the range 6<=x<=2000"),
    (["--people", "2001"], "2001 is not in the range 6<=x<=2000"),
    (["--design", "everyone"], "'everyone' is not one of 'self-paced', 'randomised', "
                               "'staggered'"),
])
def test_cli_demo_refuses_bad_options_before_building_anything(runner, args, message):
    result = runner.invoke(args=["demo", *args])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert db.session.scalar(select(User.id).limit(1)) is None


def _rates(sales: list[Sale], done: dict[int, date], after: bool,
           today: date) -> tuple[float, float]:
    """Pooled win rate and 14-day follow-up rate of the deals closed before or after the
    owner completed Customer insight."""
    closed = [s for s in sales if s.stage in ("won", "lost") and s.user_id in done
              and (s.closed_on > done[s.user_id]) == after]
    won = [s for s in closed if s.stage == "won" and s.closed_on <= today - timedelta(14)]
    followed = [s for s in won if s.follow_up_on and (s.follow_up_on - s.closed_on).days <= 14]
    return (sum(s.stage == "won" for s in closed) / len(closed), len(followed) / len(won))


def test_cli_demo_with_an_effect_makes_a_world_that_has_it(runner, app):
    result = runner.invoke(args=["demo", "--people", "40", "--seed", "5", "--effect",
                                 "customer-insight:follow_up_rate=0.3"])
    assert result.exit_code == 0, result.output
    assert "40 salespeople" in result.output and "Customer insight self-paced" in result.output
    assert "effects on sales: only customer-insight:follow_up_rate=0.3." in result.output
    assert "rep01 … rep40" in result.output
    today = local_today()
    path = live_item(ContentKind.PATH, INSIGHT)
    done = {u: at.date() for u, at in db.session.execute(select(
        PathCompletion.user_id, PathCompletion.completed_at).where(
        PathCompletion.path_id == path.id))}
    sales = db.session.scalars(select(Sale)).all()
    win_before, follow_before = _rates(sales, done, after=False, today=today)
    win_after, follow_after = _rates(sales, done, after=True, today=today)
    # The same people before and after: follow-ups 0.5 → 0.8, the win rate stays 0.28.
    assert 0.40 < follow_before < 0.60 and 0.72 < follow_after < 0.88
    assert abs(win_after - win_before) < 0.05 and 0.22 < win_after < 0.34


def test_cli_demo_refuses_a_rollout_with_too_few_people_hired_early_enough(runner):
    result = runner.invoke(args=["demo", "--people", "6", "--design", "staggered"])
    assert result.exit_code == 1
    assert ("--design staggered needs at least 4 salespeople hired 90 days before its first "
            "wave") in result.stderr and "give more --people." in result.stderr
    assert db.session.scalar(select(User.id).limit(1)) is None


@pytest.mark.parametrize(("design", "effect"), [("randomised", 0.15), ("randomised", 0.0)])
def test_the_impact_estimate_recovers_the_demo_worlds_truth(app, content_copy, design, effect):
    """From the demo's own world to the page's estimate: a known effect on follow-ups is
    inside the interval, and the win rate, which nothing changes, is not called an effect."""
    from lms.analytics.training_effect import training_effects
    from lms.demo.effects import parse_effects
    from lms.security import Scope

    sync(content_copy)
    build_demo(seed=4, today=TODAY, people=160, design=design,
               effects=parse_effects([f"customer-insight:follow_up_rate={effect}"]))
    db.session.commit()
    result = training_effects(Scope(everyone=True), live_item(ContentKind.PATH, INSIGHT),
                              window_days=90, today=TODAY, follow_up_days=14)
    assert result.design == "randomised"
    follow = result.completing["follow_up_rate"] or result.effects["follow_up_rate"]
    assert follow.ci_low <= effect <= follow.ci_high
    assert ("follow_up_rate" in result.claimed()) == (effect > 0)
    assert "win_rate" not in result.claimed(), (follow, result.effects["win_rate"])
