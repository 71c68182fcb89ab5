"""The demo organisation's people: one admin, one trainer, three regional managers with a team
each and 36 salespeople (or any number from 6 to 2,000) hired over the last 18 months, with CRM
names and ids so sales exports can be matched to them. Past 36 each region is split into
sub-teams of at most twelve, which the regional manager manages through the region."""

from __future__ import annotations

import random
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.clock import local_today
from lms.extensions import db
from lms.models import Role, User
from lms.people.passwords import hash_password
from lms.people.services import PersonFields, TeamFields, create_team, create_user

DEMO_PASSWORD = "verkoopklaar-demo"
REPS_PER_TEAM = 12
DEFAULT_PEOPLE = 36
PEOPLE_RANGE = (6, 2000)
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


def demo_logins(people: int = DEFAULT_PEOPLE) -> list[tuple[str, str]]:
    """(email, who it is) of the demo's logins, as ``lms demo`` lists them."""
    logins = [("admin@demo.test", _("admin")), ("trainer@demo.test", _("trainer"))]
    logins += [(f"manager{i}@demo.test", _("manager of %(team)s", team=name))
               for i, (name, _description, _manager) in enumerate(TEAMS, start=1)]
    logins.append(("rep01@demo.test", _("salesperson (%(first)s … %(last)s)", first="rep01",
                                        last=f"rep{people:02d}")))
    return logins


def demo_people_count() -> int:
    """How many demo salespeople the database holds (for the logins of a demo loaded before)."""
    return db.session.scalar(select(func.count()).select_from(User).where(
        User.role == Role.LEARNER.value, User.email.like("rep%@demo.test"))) or 0


def region_sizes(people: int) -> list[list[int]]:
    """The team sizes of each region: ``people`` split as evenly as possible over the regions,
    and each region's share over as few teams of at most twelve as it takes."""
    out = []
    for index in range(len(TEAMS)):
        share = people // len(TEAMS) + (index < people % len(TEAMS))
        teams = max(1, -(-share // REPS_PER_TEAM))
        out.append([share // teams + (k < share % teams) for k in range(teams)])
    return out


def rep_names(people: int, rng: random.Random) -> list[str]:
    """Distinct names, drawn from the end (``pop``). Up to 36 the original pairs, shuffled as
    before so the 36-person demo does not change; beyond, every first × last name pair, then
    with a middle initial (a CRM name must be unique to match deals)."""
    if people <= len(FIRST_NAMES):
        names = [f"{first} {last}" for first, last in zip(FIRST_NAMES, LAST_NAMES, strict=True)]
        rng.shuffle(names)
        return names
    names = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
    initials = iter("ABCDEFGHJKLMNPRSTVW")
    while len(names) < people:
        initial = next(initials)
        names += [f"{first} {initial}. {last}" for first in FIRST_NAMES for last in LAST_NAMES]
    rng.shuffle(names)
    return names


def build_people(*, seed: int = 2026, today: date | None = None,
                 people: int = DEFAULT_PEOPLE) -> list[User]:
    """Create the demo people through the same services the admin pages use; returns the
    salespeople in order (rep01 first)."""
    rng = random.Random(seed)
    today = today or local_today()

    # One hash for the one published password: hashing it per account (scrypt) took a third
    # of the time of a large demo.
    shared_hash = hash_password(DEMO_PASSWORD)

    def person(email: str, name: str, role: Role, **extra: object) -> User:
        user, _password = create_user(PersonFields(email=email, name=name, role=role, **extra),
                              password_hash=shared_hash)
        return user

    person("admin@demo.test", "Femke Admiraal", Role.ADMIN,
           hire_date=today - timedelta(days=1400))
    person("trainer@demo.test", "Joost Leermans", Role.TRAINER,
           hire_date=today - timedelta(days=1100))

    names = rep_names(people, rng)
    rep_number = 0
    reps: list[User] = []
    for index, ((team_name, description, manager_name), sizes) in enumerate(
            zip(TEAMS, region_sizes(people), strict=True), start=1):
        manager = person(f"manager{index}@demo.test", manager_name, Role.MANAGER,
                         hire_date=today - timedelta(days=900 + 130 * index))
        region = create_team(TeamFields(name=team_name, description=description,
                                        managers=[manager]))
        manager.team = region
        # One team per region up to twelve each; past that the region's people are in
        # sub-teams, which the regional manager sees through the region (team scope).
        teams = [region] if len(sizes) == 1 else [
            create_team(TeamFields(name=f"{team_name} {k}", description=f"Part of {team_name}",
                                   parent=region))
            for k in range(1, len(sizes) + 1)]
        for team, size in zip(teams, sizes, strict=True):
            for _number in range(size):
                rep_number += 1
                name = names.pop()
                # Hires are spread over the last 18 months, a little denser recently (growth).
                days_ago = int(HISTORY_DAYS * rng.random() ** 1.3)
                reps.append(person(f"rep{rep_number:02d}@demo.test", name, Role.LEARNER,
                                   team=team, manager=manager,
                                   hire_date=today - timedelta(days=days_ago),
                                   crm_names=[name], crm_ids=[f"0055g{rep_number:05d}"]))
    db.session.flush()
    return reps
