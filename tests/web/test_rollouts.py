"""Rollouts in waves: the split is made once from a stored seed, balanced within each team and
hire month; waitlisted people see nothing and get no reminder before their wave; waves start
on their day; managers see their own people's rollouts only."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from lms.clock import local_today
from lms.errors import DomainError
from lms.extensions import db
from lms.learning.assignments import live_assignment
from lms.learning.catalog import live_item
from lms.learning.rollouts import make_rollout, replay_split, start_due_waves, withdraw_rollout
from lms.models import Assignment, ContentKind, ReminderLog, Role
from lms.models.rollouts import Design, Rollout, RolloutMember
from tests.conftest import csrf_from, login, post_form
from tests.factories import make_team, make_user


@pytest.fixture
def org(app, runner, content_copy):
    """Two teams of twelve salespeople hired over three months, each team with a manager."""
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    managers, people = [], []
    for t in range(2):
        manager = make_user(Role.MANAGER, email=f"boss{t}@example.com")
        team = make_team(f"Team {t}", managers=[manager])
        managers.append(manager)
        for i in range(12):
            hired = date(2026, 1 + i % 3, 5)
            people.append(make_user(email=f"rep{t}-{i}@example.com", name=f"Rep {t}-{i}",
                                    team=team, hire_date=hired))
    item = live_item(ContentKind.PATH, "customer-insight")
    return managers, people, item


def test_a_randomised_rollout_splits_each_team_and_month_evenly_and_starts_the_first_wave(org):
    managers, people, item = org
    today = local_today()
    result = make_rollout(item, people, design=Design.RANDOMISED, by=managers[0], today=today,
                          interval_days=90, due_days=30, seed=1234)
    db.session.commit()
    rollout = result.rollout
    assert rollout.seed == 1234 and rollout.waves == 2 and len(rollout.members) == 24
    per_stratum = Counter((m.team_id, m.hire_cohort, m.wave) for m in rollout.members)
    for team_id in {m.team_id for m in rollout.members}:
        for cohort in {m.hire_cohort for m in rollout.members}:
            assert abs(per_stratum[(team_id, cohort, 1)] - per_stratum[(team_id, cohort, 2)]) <= 1
    first = [m for m in rollout.members if m.wave == 1]
    waitlist = [m for m in rollout.members if m.wave == 2]
    assert len(first) == len(waitlist) == 12
    assert all(m.assignment_id and m.starts_on == today for m in first)
    assert all(m.assignment_id is None and m.starts_on == today + timedelta(days=90)
               for m in waitlist)
    assert all(live_assignment(m.user, item).due_date == today + timedelta(days=30)
               for m in first)
    assert all(live_assignment(m.user, item) is None for m in waitlist)
    # The split can be made again from the stored seed and strata.
    assert replay_split(rollout) == {m.user_id: m.wave for m in rollout.members}


def test_the_same_seed_gives_the_same_split_and_another_seed_another(org):
    managers, people, item = org
    today = local_today()
    first = make_rollout(item, people, design=Design.RANDOMISED, by=None, today=today,
                         interval_days=90, seed=7).rollout
    waves = {m.user_id: m.wave for m in first.members}
    assert replay_split(first) == waves
    db.session.rollback()
    again = make_rollout(item, people, design=Design.RANDOMISED, by=None, today=today,
                         interval_days=90, seed=7).rollout
    assert {m.user_id: m.wave for m in again.members} == waves
    db.session.rollback()
    other = make_rollout(item, people, design=Design.RANDOMISED, by=None, today=today,
                         interval_days=90, seed=8).rollout
    assert {m.user_id: m.wave for m in other.members} != waves


def test_waitlisted_people_see_nothing_and_get_no_reminder_until_their_wave(org, app, runner):
    managers, people, item = org
    today = local_today()
    rollout = make_rollout(item, people, design=Design.RANDOMISED, by=managers[0], today=today,
                           interval_days=30, due_days=0, seed=99).rollout
    db.session.commit()
    waiting = next(m.user for m in rollout.members if m.wave == 2)
    started = next(m.user for m in rollout.members if m.wave == 1)
    for person, sees in ((waiting, False), (started, True)):
        client = app.test_client()
        login(client, person.email)
        page = client.get("/learn/").get_data(as_text=True)
        assert ("Customer insight" in page) is sees, person.email
        # Nor can the path, its modules or their quizzes be opened ahead of the wave.
        for url in ("/learn/paths/customer-insight",
                    "/learn/modules/customer-segments-and-personas",
                    "/learn/quizzes/customer-segments-and-personas"):
            response = client.get(url)
            assert (response.status_code == 200) is sees, (person.email, url)
            if not sees:
                assert "Yours starts on" in response.get_data(as_text=True)
    # Due today: the first wave is reminded, the waitlist is not.
    assert runner.invoke(args=["reminders", "send"]).exit_code == 0
    reminded = set(db.session.scalars(select(ReminderLog.user_id)))
    assert started.id in reminded and waiting.id not in reminded
    # Thirty days on, the waitlist's wave starts (the reminders' cron starts it).
    assert start_due_waves(today + timedelta(days=29)) == 0
    assert start_due_waves(today + timedelta(days=30)) == 12
    db.session.commit()
    assert live_assignment(waiting, item) is not None
    assert start_due_waves(today + timedelta(days=31)) == 0


def test_staggered_waves_start_at_fixed_intervals_in_random_order(org):
    managers, people, item = org
    today = local_today()
    rollout = make_rollout(item, people, design=Design.STAGGERED, by=None, today=today,
                           interval_days=30, waves=3, seed=5).rollout
    sizes = Counter(m.wave for m in rollout.members)
    assert sorted(sizes) == [1, 2, 3] and max(sizes.values()) - min(sizes.values()) <= 2
    assert {m.starts_on for m in rollout.members if m.wave == 3} == {today + timedelta(days=60)}
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == sizes[1]


def test_people_who_already_have_the_training_are_left_out_and_too_few_is_refused(org):
    managers, people, item = org
    today = local_today()
    first = make_rollout(item, people[:6], design=Design.RANDOMISED, by=None, today=today,
                         interval_days=90, seed=1)
    db.session.commit()
    assert len(first.rollout.members) == 6
    again = make_rollout(item, people[:10], design=Design.RANDOMISED, by=None, today=today,
                         interval_days=90, seed=2)
    assert len(again.skipped) == 6 and len(again.rollout.members) == 4
    db.session.rollback()
    with pytest.raises(DomainError, match="at least 4 salespeople"):
        make_rollout(item, people[:3], design=Design.RANDOMISED, by=None, today=today,
                     interval_days=90)
    with pytest.raises(DomainError, match="14 to 365 days"):
        make_rollout(item, people[6:], design=Design.RANDOMISED, by=None, today=today,
                     interval_days=9999)


def test_withdrawing_stops_the_waves_to_come_and_keeps_the_record(org):
    managers, people, item = org
    today = local_today()
    rollout = make_rollout(item, people, design=Design.RANDOMISED, by=None, today=today,
                           interval_days=30, seed=3).rollout
    assert withdraw_rollout(rollout) == 12
    db.session.commit()
    assert start_due_waves(today + timedelta(days=60)) == 0
    assert db.session.scalar(select(func.count()).select_from(RolloutMember)) == 24
    assert db.session.get(Rollout, rollout.id).withdrawn_at is not None
    with pytest.raises(DomainError):
        withdraw_rollout(rollout)


def test_a_manager_makes_a_rollout_in_the_browser_and_sees_the_waves(org, app):
    managers, people, item = org
    client = app.test_client()
    login(client, managers[0].email)
    page = client.get("/manage/rollouts/new").get_data(as_text=True)
    assert "Team 0" in page and "Team 1" not in page  # only the manager's own team
    team_id = people[0].team_id
    response = post_form(client, "/manage/rollouts/new", {
        "item_id": item.id, "team_ids": [team_id], "design": "randomised",
        "interval_days": 90, "waves": "", "due_days": 30}, token_from="/manage/rollouts/new")
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "First wave" in page and "Waitlist" in page
    assert "Making the split again from the seed gives the same waves." in page
    rollout = db.session.scalar(select(Rollout))
    assert len(rollout.members) == 12 and all(m.team_id == team_id for m in rollout.members)
    # The other team's manager cannot see it, nor probe ids.
    other = app.test_client()
    login(other, managers[1].email)
    assert other.get(f"/manage/rollouts/{rollout.id}").status_code == 404
    assert "Customer insight" not in other.get("/manage/rollouts/").get_data(as_text=True)
    assert other.get("/manage/rollouts/99999999999999999999999").status_code == 404
    # Withdrawing needs the form's token, and keeps the record.
    assert client.post(f"/manage/rollouts/{rollout.id}/withdraw").status_code == 400
    page = client.get(f"/manage/rollouts/{rollout.id}").get_data(as_text=True)
    response = client.post(f"/manage/rollouts/{rollout.id}/withdraw",
                           data={"csrf_token": csrf_from(page)}, follow_redirects=True)
    assert "Rollout withdrawn" in response.get_data(as_text=True)


def test_the_form_explains_mistakes(org, app):
    managers, people, item = org
    client = app.test_client()
    login(client, managers[0].email)
    response = post_form(client, "/manage/rollouts/new", {
        "item_id": item.id, "design": "randomised", "interval_days": 5},
        token_from="/manage/rollouts/new")
    page = response.get_data(as_text=True)
    assert "Choose at least one team." in page and "Give 14 to 365 days." in page
    assert db.session.scalar(select(func.count()).select_from(Rollout)) == 0


def test_the_start_command_starts_due_waves(org, runner):
    managers, people, item = org
    # Made 30 days ago: the first wave started then, the second starts today.
    rollout = make_rollout(item, people, design=Design.STAGGERED, by=None,
                           today=local_today() - timedelta(days=30), interval_days=30, waves=2,
                           seed=11).rollout
    db.session.commit()
    second = sum(m.wave == 2 for m in rollout.members)
    result = runner.invoke(args=["rollouts", "start"])
    assert result.exit_code == 0 and f"{second} people started a wave today." in result.output
    assert all(m.assignment_id for m in db.session.get(Rollout, rollout.id).members)
    result = runner.invoke(args=["rollouts", "start"])
    assert result.exit_code == 0 and "No wave starts today." in result.output


def test_assigning_a_waitlisted_person_directly_warns_and_the_wave_keeps_that_assignment(
        org, app):
    managers, people, item = org
    today = local_today()
    rollout = make_rollout(item, people[:12], design=Design.RANDOMISED, by=managers[0],
                           today=today, interval_days=30, seed=21).rollout
    db.session.commit()
    member = next(m for m in rollout.members if m.wave == 2)
    client = app.test_client()
    login(client, managers[0].email)
    response = post_form(client, "/manage/assignments/new", {
        "target": f"user:{member.user_id}", "item_id": item.id, "due_kind": "none"},
        token_from="/manage/assignments/new", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "was on the waitlist of a rollout of Customer insight" in page
    direct = live_assignment(member.user, item)
    assert direct is not None
    assert start_due_waves(today + timedelta(days=30)) == 6
    db.session.commit()
    assert db.session.get(RolloutMember, member.id).assignment_id == direct.id
