"""Creating, changing and deactivating people and teams.

Services flush and return; the caller (a view or a CLI command) commits once or rolls back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.api.auth import revoke_tokens_of
from lms.errors import DomainError
from lms.extensions import db
from lms.learning.assignments import auto_enrol
from lms.models import AliasKind, Role, Team, User, UserAlias, alias_key, utcnow
from lms.people.passwords import (
    check_password_rules,
    hash_password,
    temporary_password,
    verify_password,
)
from lms.people.sessions import end_all_sessions
from lms.safeyaml import quote
from lms.sales.matching import link_unmatched_sales


def normalise_email(raw: str) -> str:
    """A valid, lower-cased email address, or ``DomainError`` saying what is wrong with it."""
    raw = (raw or "").strip()
    if not raw:
        raise DomainError(_("An email address is required."), field="email")
    try:
        # test_environment admits the reserved .test domain, which the demo accounts use.
        checked = validate_email(raw, check_deliverability=False, test_environment=True)
    except EmailNotValidError as exc:
        raise DomainError(_("%(value)s is not a valid email address: %(problem)s",
                            value=quote(raw), problem=str(exc)), field="email") from None
    return checked.normalized.lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


@dataclass
class PersonFields:
    """What an admin (or an import row) says about a person."""

    email: str
    name: str
    role: Role
    team: Team | None = None
    manager: User | None = None
    hire_date: date | None = None
    crm_ids: Sequence[str] = ()
    crm_names: Sequence[str] = ()


def _check_manager(person: User | None, manager: User | None) -> None:
    if manager is None:
        return
    if person is not None and manager.id == person.id:
        raise DomainError(_("A person cannot be their own manager."), field="manager")
    if not manager.has_role(Role.MANAGER, Role.ADMIN):
        raise DomainError(_("%(name)s is not a manager; give them the manager role first.",
                            name=manager.name), field="manager")
    # Walk up the reporting line so nobody ends up managing their own manager.
    seen = set()
    cursor = manager
    while cursor is not None and cursor.id not in seen:
        if person is not None and cursor.id == person.id:
            raise DomainError(_("%(name)s reports to this person, directly or indirectly.",
                                name=manager.name), field="manager")
        seen.add(cursor.id)
        cursor = cursor.manager


def _apply(user: User, fields: PersonFields) -> None:
    email = normalise_email(fields.email)
    name = " ".join(fields.name.split())
    if not name:
        raise DomainError(_("A name is required."), field="name")
    clash = find_user_by_email(email)
    if clash is not None and clash is not user:
        raise DomainError(_("%(email)s already belongs to %(name)s.", email=email,
                            name=clash.name), field="email")
    _check_manager(user if user.id else None, fields.manager)
    user.email = email
    user.name = name
    user.role = Role(fields.role).value
    user.team = fields.team
    user.manager = fields.manager
    user.hire_date = fields.hire_date
    set_aliases(user, AliasKind.CRM_ID, fields.crm_ids)
    set_aliases(user, AliasKind.CRM_NAME, fields.crm_names)


def create_user(fields: PersonFields, *, password: str | None = None,
                password_hash: str | None = None) -> tuple[User, str | None]:
    """Create a person. Without ``password`` (or its ``password_hash``, for many accounts
    sharing one known password, as the demo's do) a temporary one is generated and returned,
    and the person must choose their own at first login."""
    user = User(active=True)
    temp = None
    if password_hash is None:
        if password is None:
            temp = temporary_password()
            password = temp
        password_hash = hash_password(password)
    user.password_hash = password_hash
    user.must_change_password = temp is not None
    # The checks in _apply query the database; the half-filled user must not be flushed first.
    with db.session.no_autoflush:
        _apply(user, fields)
    db.session.add(user)
    db.session.flush()
    auto_enrol(user)  # a new salesperson gets the onboarding path, if an admin turned that on
    link_unmatched_sales(user)  # deals imported before this person had an account
    return user, temp


def update_user(user: User, fields: PersonFields, *, acting: User | None = None) -> None:
    if acting is not None and acting.id == user.id and fields.role != Role.ADMIN \
            and user.has_role(Role.ADMIN):
        raise DomainError(_("You cannot remove your own admin role; ask another admin."),
                          field="role")
    if user.has_role(Role.ADMIN) and fields.role != Role.ADMIN:
        _ensure_another_admin(user)
    with db.session.no_autoflush:
        _apply(user, fields)
    db.session.flush()
    link_unmatched_sales(user)  # a new email or CRM alias may own unmatched deals


def set_aliases(user: User, kind: AliasKind, values: Iterable[str]) -> None:
    """Replace this person's aliases of one kind; an alias can belong to one person only."""
    wanted: dict[str, str] = {}
    for raw in values:
        value = " ".join(raw.split())
        if value:
            wanted.setdefault(alias_key(value), value)
    for key, value in wanted.items():
        owner = db.session.scalar(
            select(User).join(UserAlias).where(UserAlias.kind == kind.value,
                                              UserAlias.value_key == key)
        )
        if owner is not None and owner is not user:
            message = (_("CRM id %(value)s already belongs to %(name)s.", value=quote(value),
                         name=owner.name) if kind is AliasKind.CRM_ID else
                       _("CRM name %(value)s already belongs to %(name)s.", value=quote(value),
                         name=owner.name))
            raise DomainError(message, field=kind.value + "s")
    kept = []
    for alias in user.aliases:
        if alias.kind != kind.value:
            kept.append(alias)
        elif alias.value_key in wanted:
            alias.value = wanted.pop(alias.value_key)
            kept.append(alias)
    kept += [UserAlias(kind=kind.value, value=v, value_key=k) for k, v in wanted.items()]
    user.aliases = kept


def reset_password(user: User) -> str:
    """Give the person a temporary password (returned once) and end their sessions."""
    temp = temporary_password()
    user.password_hash = hash_password(temp)
    user.must_change_password = True
    end_all_sessions(user)
    db.session.flush()
    return temp


def change_password(user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise DomainError(_("Your current password is not correct."), field="current_password")
    if current == new:
        raise DomainError(_("Choose a password different from the current one."),
                          field="new_password")
    check_password_rules(new, email=user.email, name=user.name)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    # Ends every session and remember-me cookie; the caller logs this browser in again.
    end_all_sessions(user)
    db.session.flush()


def _ensure_another_admin(user: User) -> None:
    others = db.session.scalar(
        select(func.count()).select_from(User)
        .where(User.role == Role.ADMIN.value, User.active.is_(True), User.id != user.id)
    )
    if not others:
        raise DomainError(_("This is the last active admin; make someone else admin first."))


def deactivate_user(user: User, *, acting: User) -> None:
    if user.id == acting.id:
        raise DomainError(_("You cannot deactivate your own account."))
    if user.has_role(Role.ADMIN):
        _ensure_another_admin(user)
    user.active = False
    end_all_sessions(user)  # logs them out everywhere, now
    # For good: reactivating the account later gives them a login, not their old tokens.
    revoke_tokens_of(user)
    db.session.flush()


def reactivate_user(user: User) -> None:
    """The person can log in again; their sessions and API tokens stay ended."""
    user.active = True
    db.session.flush()


def record_login(user: User) -> None:
    user.last_login_at = utcnow()
    db.session.flush()


# Teams --------------------------------------------------------------------------------------

@dataclass
class TeamFields:
    name: str
    description: str = ""
    parent: Team | None = None
    managers: Sequence[User] = ()


def _apply_team(team: Team, fields: TeamFields) -> None:
    name = " ".join(fields.name.split())
    if not name:
        raise DomainError(_("A team name is required."), field="name")
    clash = db.session.scalar(select(Team).where(func.lower(Team.name) == name.lower()))
    if clash is not None and clash is not team:
        raise DomainError(_("There is already a team called %(name)s.", name=clash.name),
                          field="name")
    cursor, seen = fields.parent, set()
    while cursor is not None and cursor.id not in seen:
        if team.id is not None and cursor.id == team.id:
            raise DomainError(_("A team cannot report into itself or a team below it."),
                              field="parent")
        seen.add(cursor.id)
        cursor = cursor.parent
    for manager in fields.managers:
        if not manager.has_role(Role.MANAGER, Role.ADMIN):
            raise DomainError(_("%(name)s does not have the manager role.", name=manager.name),
                              field="managers")
    team.name = name
    team.description = fields.description.strip()
    team.parent = fields.parent
    team.managers = list(fields.managers)


def create_team(fields: TeamFields) -> Team:
    team = Team(active=True)
    with db.session.no_autoflush:
        _apply_team(team, fields)
    db.session.add(team)
    db.session.flush()
    return team


def update_team(team: Team, fields: TeamFields) -> None:
    with db.session.no_autoflush:
        _apply_team(team, fields)
    db.session.flush()


def set_team_active(team: Team, active: bool) -> None:
    """Archived teams keep their members and history but leave the pickers."""
    team.active = active
    db.session.flush()


def find_team_by_name(name: str) -> Team | None:
    return db.session.scalar(select(Team).where(func.lower(Team.name) == name.strip().lower()))
