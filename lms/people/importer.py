"""Bulk import of people from CSV (columns: email, name, role, team, manager_email, hire_date,
crm_name).

The import is checked completely first (``plan_import``), and written only when no row has an
error (``apply_import``): a file with one bad row imports nothing. Team names that do not exist
yet are created; a row's manager becomes a manager of that row's team.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from lms.bounds import check_day
from lms.errors import DomainError
from lms.extensions import db
from lms.models import AliasKind, Role, Team, User, UserAlias, alias_key
from lms.people.csvfile import decode, read_records
from lms.people.services import (
    PersonFields,
    create_user,
    find_team_by_name,
    normalise_email,
    update_user,
)
from lms.safeyaml import quote

COLUMNS = ("email", "name", "role", "team", "manager_email", "hire_date", "crm_name")
REQUIRED_COLUMNS = ("email", "name", "role")
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y")


@dataclass(frozen=True)
class RowError:
    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.column:
            return _("line %(line)d, %(column)s: %(message)s", line=self.line,
                     column=self.column, message=self.message)
        return _("line %(line)d: %(message)s", line=self.line, message=self.message)


@dataclass
class PersonRow:
    line: int
    email: str
    name: str
    role: Role
    team_name: str
    manager_email: str
    hire_date: date | None
    crm_name: str
    existing: bool


@dataclass
class ImportPlan:
    filename: str
    rows: list[PersonRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    teams_to_create: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def new_count(self) -> int:
        return sum(not r.existing for r in self.rows)

    @property
    def update_count(self) -> int:
        return sum(r.existing for r in self.rows)


@dataclass
class ImportResult:
    created: list[tuple[User, str]]  # (person, temporary password)
    updated: list[User]
    teams_created: list[Team]


def parse_date(raw: str) -> date:
    for fmt in DATE_FORMATS:
        try:
            value = datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
        return check_day(value)
    raise ValueError(_("%(value)s is not a date; write it as YYYY-MM-DD (for example "
                       "2026-03-31)", value=quote(raw)))


def plan_import(data: bytes, *, filename: str, update_existing: bool = False) -> ImportPlan:
    """Read and check every row; nothing is written."""
    plan = ImportPlan(filename=filename)
    try:
        header, records = read_records(decode(data, filename=filename), filename=filename)
    except DomainError as exc:
        plan.errors.append(RowError(1, None, exc.message))
        return plan

    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing:
        plan.errors.append(RowError(1, None, ngettext(
            "missing column: %(columns)s. Expected columns: %(expected)s",
            "missing columns: %(columns)s. Expected columns: %(expected)s", len(missing),
            columns=", ".join(missing), expected=", ".join(COLUMNS))))
    if unknown:
        plan.errors.append(RowError(1, None, ngettext(
            "unknown column: %(columns)s. Expected columns: %(expected)s",
            "unknown columns: %(columns)s. Expected columns: %(expected)s", len(unknown),
            columns=", ".join(unknown), expected=", ".join(COLUMNS))))
    if plan.errors:
        return plan

    existing_users = {u.email: u for u in db.session.scalars(select(User))}
    alias_owner = {
        key: email for key, email in db.session.execute(
            select(UserAlias.value_key, User.email).join(User)
            .where(UserAlias.kind == AliasKind.CRM_NAME.value)
        )
    }
    seen_emails: dict[str, int] = {}
    seen_aliases: dict[str, int] = {}
    file_roles: dict[str, Role] = {}
    pending_managers: list[tuple[int, str]] = []

    try:
        for record in records:
            row = _check_row(record, header, plan, update_existing, existing_users,
                             alias_owner, seen_emails, seen_aliases)
            if row is None:
                continue
            file_roles[row.email] = row.role
            if row.manager_email:
                pending_managers.append((row.line, row.manager_email))
            plan.rows.append(row)
    except DomainError as exc:  # unreadable CSV structure part-way through the file
        plan.errors.append(RowError(0, None, exc.message))

    # Managers may appear later in the file than the people they manage: check at the end.
    for line, manager_email in pending_managers:
        role = file_roles.get(manager_email) or (
            Role(existing_users[manager_email].role) if manager_email in existing_users else None
        )
        if role is None:
            plan.errors.append(RowError(line, "manager_email",
                                        _("no person with email %(email)s exists or is in this "
                                          "file", email=manager_email)))
        elif role not in (Role.MANAGER, Role.ADMIN):
            plan.errors.append(RowError(line, "manager_email",
                                        _("%(email)s has the role %(role)s, not manager",
                                          email=manager_email, role=role.value)))
    if not plan.rows and not plan.errors:
        plan.errors.append(RowError(2, None, _("the file has a header but no people")))
    plan.errors.sort(key=lambda e: (e.line, COLUMNS.index(e.column) if e.column else -1))
    return plan


def _check_row(record, header, plan, update_existing, existing_users, alias_owner,  # noqa: ANN001
               seen_emails, seen_aliases) -> PersonRow | None:
    line, values = record.line, record.values
    errors: list[RowError] = []
    if record.field_count != len(header):
        errors.append(RowError(line, None, ngettext(
            "expected %(num)d field, found %(found)d (check separators and quotes)",
            "expected %(num)d fields, found %(found)d (check separators and quotes)",
            len(header), found=record.field_count)))

    email = ""
    try:
        email = normalise_email(values.get("email", ""))
    except DomainError as exc:
        errors.append(RowError(line, "email", exc.message))
    if email:
        if email in seen_emails:
            errors.append(RowError(line, "email",
                                   _("%(email)s appears twice (also on line %(line)d)",
                                     email=email, line=seen_emails[email])))
        else:
            seen_emails[email] = line
        if email in existing_users and not update_existing:
            errors.append(RowError(line, "email", _(
                "%(email)s already has an account; tick '%(option)s' to change it", email=email,
                option=_("Update people who already have an account"))))

    name = " ".join(values.get("name", "").split())
    if not name:
        errors.append(RowError(line, "name", _("a name is required")))

    role_raw = values.get("role", "").strip().lower()
    role = None
    try:
        role = Role(role_raw)
    except ValueError:
        errors.append(RowError(line, "role", _("unknown role %(role)s; use one of %(roles)s",
                                               role=quote(values.get("role", "")),
                                               roles=", ".join(r.value for r in Role))))

    team_name = " ".join(values.get("team", "").split())
    if team_name:
        team = find_team_by_name(team_name)
        if team is None:
            if team_name.lower() not in (t.lower() for t in plan.teams_to_create):
                plan.teams_to_create.append(team_name)
        elif not team.active:
            errors.append(RowError(line, "team", _("team %(team)s is archived; reactivate it "
                                                   "first", team=team.name)))

    manager_email = ""
    if values.get("manager_email"):
        try:
            manager_email = normalise_email(values["manager_email"])
        except DomainError as exc:
            errors.append(RowError(line, "manager_email", exc.message))
        if manager_email and manager_email == email:
            errors.append(RowError(line, "manager_email",
                                   _("a person cannot be their own manager")))
            manager_email = ""

    hire_date = None
    if values.get("hire_date"):
        try:
            hire_date = parse_date(values["hire_date"])
        except ValueError as exc:
            errors.append(RowError(line, "hire_date", str(exc)))

    crm_name = " ".join(values.get("crm_name", "").split())
    if crm_name:
        key = alias_key(crm_name)
        owner = alias_owner.get(key)
        if key in seen_aliases:
            errors.append(RowError(line, "crm_name", _("CRM name %(name)s is also on line "
                                                       "%(line)d", name=quote(crm_name),
                                                       line=seen_aliases[key])))
        elif owner is not None and owner != email:
            errors.append(RowError(line, "crm_name", _("CRM name %(name)s already belongs to "
                                                       "%(owner)s", name=quote(crm_name),
                                                       owner=owner)))
        seen_aliases.setdefault(key, line)

    if errors:
        plan.errors.extend(errors)
        return None
    assert role is not None
    return PersonRow(line, email, name, role, team_name, manager_email, hire_date, crm_name,
                     existing=email in existing_users)


def apply_import(plan: ImportPlan) -> ImportResult:
    """Write a checked plan. Flushes; the caller commits (or rolls back on any error)."""
    if not plan.ok:
        raise DomainError(_("The file has errors; nothing was imported."))
    teams_created = []
    for name in plan.teams_to_create:
        team = Team(name=name, description="", active=True)
        db.session.add(team)
        teams_created.append(team)
    db.session.flush()

    created: list[tuple[User, str]] = []
    updated: list[User] = []
    people: dict[str, User] = {}
    # Pass 1: everyone exists, without managers (a manager may be further down the file).
    for row in plan.rows:
        fields = _fields(row, manager=None)
        user = db.session.scalar(select(User).where(User.email == row.email))
        if user is None:
            user, temp = create_user(fields)
            created.append((user, temp or ""))
        else:
            fields.crm_ids = user.alias_values(AliasKind.CRM_ID)
            if not row.crm_name:
                fields.crm_names = user.alias_values(AliasKind.CRM_NAME)
            update_user(user, fields)
            updated.append(user)
        people[row.email] = user
    # Pass 2: reporting lines, and the manager joins the managers of the row's team.
    for row in plan.rows:
        if not row.manager_email:
            continue
        user = people[row.email]
        manager = people.get(row.manager_email) or db.session.scalar(
            select(User).where(User.email == row.manager_email)
        )
        fields = _fields(row, manager=manager)
        fields.crm_ids = user.alias_values(AliasKind.CRM_ID)
        fields.crm_names = user.alias_values(AliasKind.CRM_NAME)
        update_user(user, fields)
        if user.team is not None and manager not in user.team.managers:
            user.team.managers.append(manager)
    db.session.flush()
    return ImportResult(created=created, updated=updated, teams_created=teams_created)


def _fields(row: PersonRow, *, manager: User | None) -> PersonFields:
    team = find_team_by_name(row.team_name) if row.team_name else None
    return PersonFields(
        email=row.email, name=row.name, role=row.role, team=team, manager=manager,
        hire_date=row.hire_date, crm_names=[row.crm_name] if row.crm_name else [],
    )
