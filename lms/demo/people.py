"""The demo organisation's people: one admin, one trainer, three regional managers with a team
each and 36 salespeople hired over the last 18 months, with CRM names and ids so sales exports
can be matched to them."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import func, select

from lms.clock import local_today
from lms.extensions import db
from lms.models import Role, User
from lms.people.services import PersonFields, TeamFields, create_team, create_user

DEMO_PASSWORD = "verkoopklaar-demo"
REPS_PER_TEAM = 12
HISTORY_DAYS = 548  # about 18 months

TEAMS = (
    ("Team Noord", "Groningen, Friesland, Drenthe and Overijssel", "Sanne Bakker"),
    ("Team Randstad", "Amsterdam, Utrecht, Rotterdam and The Hague", "Daan Visser"),
    ("Team Zuid en België", "Brabant, Limburg and Flanders", "Lotte Peeters"),
)

FIRST_NAMES = (
    "Anna", "Bram", "Chloë", "Daan", "Emma", "Finn", "Hanna", "Ivo", "Julia", "Koen", "Lieke",
    "Milan", "Noa", "Olivier", "Pien", "Ruben", "Sara", "Thijs", "Vera", "Wouter", "Yara",
    "Zeynep", "Jesse", "Fleur", "Mohamed", "Lina", "Sem", "Elif", "Lars", "Nina", "Bas", "Iris",
    "Tim", "Eva", "Stijn", "Roos",
)
LAST_NAMES = (
    "de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer",
    "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer",
    "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer", "Janssens", "Maes", "Claes",
    "Willems", "Goossens", "Wouters", "Yılmaz", "El Amrani", "Kok", "Jacobs", "Vermeulen",
    "van Dijk", "Lambrechts", "Hoekstra",
)


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(User))


def demo_logins() -> list[tuple[str, str]]:
    logins = [("admin@demo.test", "admin"), ("trainer@demo.test", "trainer")]
    logins += [(f"manager{i}@demo.test", f"manager of {name}")
               for i, (name, _, _) in enumerate(TEAMS, start=1)]
    logins.append(("rep01@demo.test", f"salesperson (rep01 … rep{REPS_PER_TEAM * len(TEAMS):02d})"))
    return logins


def build_people(*, seed: int = 2026, today: date | None = None) -> list[User]:
    """Create the demo people through the same services the admin pages use; returns the
    salespeople in order (rep01 first)."""
    rng = random.Random(seed)
    today = today or local_today()

    def person(email: str, name: str, role: Role, **extra: object) -> User:
        user, _ = create_user(PersonFields(email=email, name=name, role=role, **extra),
                              password=DEMO_PASSWORD)
        return user

    person("admin@demo.test", "Femke Admiraal", Role.ADMIN,
           hire_date=today - timedelta(days=1400))
    person("trainer@demo.test", "Joost Leermans", Role.TRAINER,
           hire_date=today - timedelta(days=1100))

    names = [f"{first} {last}" for first, last in zip(FIRST_NAMES, LAST_NAMES, strict=True)]
    rng.shuffle(names)
    rep_number = 0
    reps: list[User] = []
    for index, (team_name, description, manager_name) in enumerate(TEAMS, start=1):
        manager = person(f"manager{index}@demo.test", manager_name, Role.MANAGER,
                         hire_date=today - timedelta(days=900 + 130 * index))
        team = create_team(TeamFields(name=team_name, description=description,
                                      managers=[manager]))
        manager.team = team
        for _ in range(REPS_PER_TEAM):
            rep_number += 1
            name = names.pop()
            # Hires are spread over the last 18 months, a little denser recently (growth).
            days_ago = int(HISTORY_DAYS * rng.random() ** 1.3)
            reps.append(person(f"rep{rep_number:02d}@demo.test", name, Role.LEARNER, team=team,
                               manager=manager, hire_date=today - timedelta(days=days_ago),
                               crm_names=[name], crm_ids=[f"0055g{rep_number:05d}"]))
    db.session.flush()
    return reps
