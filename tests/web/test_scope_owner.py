"""Who sees whom has one owner, lms.security, and every consumer agrees with it.

Random organisations (team trees, managers of several teams, direct reports outside the
manager's teams, people without a team) are checked against the rule written out plainly in
this file: the policy's SQL, its Python check, the readiness report, the sales measures, the
assignment list, question statistics and the reminders' digests must all name the same people.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.analytics.readiness import rules_from_config
from lms.analytics.readiness_sql import readiness_report
from lms.clock import local_today
from lms.extensions import db
from lms.manage.assignments import people_scope
from lms.models import Role, Team, User
from lms.security import (
    OutOfScope,
    Scope,
    can_view_user,
    choose_scope,
    managed_scope,
    visible_people_ids,
    visible_people_query,
)
from tests.factories import make_team, make_user

LMS = Path(__file__).resolve().parents[2] / "lms"


def build_organisation(seed: int) -> tuple[list[User], list[Team], User]:
    rng = random.Random(seed)
    managers = [make_user(Role.MANAGER, email=f"m{i}@example.com") for i in range(4)]
    teams: list[Team] = []
    for i in range(8):
        parent = rng.choice([None, *teams]) if teams else None
        owners = rng.sample(managers, k=rng.choice([0, 1, 1, 2]))
        teams.append(make_team(f"Team {seed}-{i}", managers=owners, parent=parent))
    people = []
    for i in range(30):
        role = rng.choice([Role.LEARNER] * 4 + [Role.TRAINER])
        people.append(make_user(
            role, email=f"p{i}@example.com", team=rng.choice([None, *teams]),
            manager=rng.choice([None, None, *managers]), active=rng.random() > 0.1))
    admin = make_user(Role.ADMIN, email="admin@example.com")
    return managers + people, teams, admin


def below(team_ids: set[int], teams: list[Team]) -> set[int]:
    """The teams and every team under them."""
    covered = set(team_ids)
    while True:
        more = {t.id for t in teams if t.parent_id in covered} - covered
        if not more:
            return covered
        covered |= more


def expected_visible(viewer: User, everyone: list[User], teams: list[Team]) -> set[int]:
    """The rule, written out: managers see the members of the teams they manage and of every
    team below those, their direct reports and themselves; others see themselves."""
    if viewer.role == Role.ADMIN.value:
        return {u.id for u in everyone} | {viewer.id}
    if viewer.role != Role.MANAGER.value:
        return {viewer.id}
    covered = below({t.id for t in teams if viewer in t.managers}, teams)
    return {u.id for u in everyone
            if u.team_id in covered or u.manager_id == viewer.id or u.id == viewer.id}


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_every_consumer_sees_the_people_the_rule_says(app, seed):
    everyone, teams, admin = build_organisation(seed)
    today = local_today()
    rules = rules_from_config(app.config)
    for viewer in [*everyone, admin]:
        expected = expected_visible(viewer, everyone, teams)
        assert {u.id for u in db.session.scalars(visible_people_query(viewer))} == expected
        assert set(db.session.scalars(visible_people_ids(viewer))) == expected
        assert {u.id for u in everyone if can_view_user(viewer, u)} == expected - {admin.id}
        if viewer.role not in (Role.MANAGER.value, Role.ADMIN.value):
            continue
        salespeople = {u.id for u in everyone if u.id in expected and u.active
                       and u.role == Role.LEARNER.value}
        report = readiness_report(choose_scope(viewer, None).scope, rules, today)
        assert {row.user_id for row in report.rows} == salespeople, viewer.email
        assert set(db.session.scalars(people_scope(viewer))) == expected - {viewer.id}
        # The reminders' digest covers the people someone manages, admin or not.
        managed = managed_scope(viewer)
        assert {u.id for u in everyone if managed.includes_user(u)} == (
            expected_visible(viewer, everyone, teams) - {viewer.id}
            if viewer.role == Role.MANAGER.value else
            {u.id for u in everyone if u.manager_id == viewer.id})


@pytest.mark.parametrize("seed", [5, 6])
def test_a_team_choice_is_that_team_and_below_within_what_the_viewer_sees(app, seed):
    everyone, teams, admin = build_organisation(seed)
    for viewer in [u for u in everyone if u.role == Role.MANAGER.value] + [admin]:
        visible = expected_visible(viewer, everyone, teams)
        choice = choose_scope(viewer, None)
        for team in teams:
            if team.id not in choice.visibility.allowed:
                with pytest.raises(OutOfScope):
                    choose_scope(viewer, str(team.id))
                continue
            chosen = choose_scope(viewer, str(team.id))
            by_name = choose_scope(viewer, team.name.upper(), by_name=True)
            assert by_name.scope == chosen.scope and chosen.label == team.name
            members = {u.id for u in everyone if u.team_id in below({team.id}, teams)}
            assert members <= visible
            assert {u.id for u in everyone if chosen.scope.includes_user(u)} == members
            assert set(db.session.scalars(
                select(User.id).where(chosen.scope.condition()))) == members


@pytest.mark.parametrize("team", ["", "  ", "abc", "-1", "1.5", "9" * 23, str(2**63), "١"])
def test_a_team_choice_that_is_no_id_is_out_of_scope_or_everything(app, team):
    admin = make_user(Role.ADMIN)
    if not team.strip():
        assert choose_scope(admin, team).scope == Scope(everyone=True)
    else:
        with pytest.raises(OutOfScope):
            choose_scope(admin, team)


def test_only_the_policy_knows_how_teams_and_managers_make_a_scope():
    """The ingredients of the rule appear in lms/security.py only (and the models)."""
    ingredients = ("team_managers", "managed_team_ids", "Team.parent_id ==",
                   "User.manager_id ==", "recursive=True")
    offenders = []
    for path in LMS.rglob("*.py"):
        if path.name == "security.py" or "models" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        offenders += [f"{path.relative_to(LMS)}: {word}" for word in ingredients if word in text]
    assert offenders == []
