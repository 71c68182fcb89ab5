"""Factories for test data, built through the same services the product uses."""

from __future__ import annotations

import itertools
from datetime import date

from lms.extensions import db
from lms.models import Role, Team, User
from lms.people.services import PersonFields, TeamFields, create_team, create_user

_counter = itertools.count(1)
PASSWORD = "correct-horse-battery"


def make_user(role: Role | str = Role.LEARNER, *, email: str | None = None,
              name: str | None = None, team: Team | None = None, manager: User | None = None,
              hire_date: date | None = None, password: str | None = PASSWORD,
              crm_names: tuple[str, ...] = (), active: bool = True) -> User:
    n = next(_counter)
    user, _ = create_user(
        PersonFields(email=email or f"person{n}@example.com", name=name or f"Person {n}",
                     role=Role(role), team=team, manager=manager, hire_date=hire_date,
                     crm_names=crm_names),
        password=password,
    )
    user.active = active
    db.session.commit()
    return user


def make_team(name: str | None = None, *, managers: list[User] | None = None,
              parent: Team | None = None) -> Team:
    team = create_team(TeamFields(name=name or f"Team {next(_counter)}",
                                  managers=managers or [], parent=parent))
    db.session.commit()
    return team
