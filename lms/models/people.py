"""People and teams: accounts, roles, reporting lines and the CRM aliases used to match sales."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.models.base import Base, UTCDateTime, utcnow


class Role(StrEnum):
    LEARNER = "learner"
    TRAINER = "trainer"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self.value])


ROLE_LABELS = {"learner": _l("Salesperson"), "trainer": _l("Trainer"), "manager": _l("Manager"),
               "admin": _l("Admin")}

class AliasKind(StrEnum):
    CRM_ID = "crm_id"
    CRM_NAME = "crm_name"


def alias_key(value: str) -> str:
    """How aliases are compared: case-insensitive, inner white space collapsed."""
    return re.sub(r"\s+", " ", value).strip().casefold()


team_managers = Table(
    "team_managers",
    Base.metadata,
    Column("team_id", Integer, ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    #: The team this one reports into; a manager of the parent team sees this team too.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[Team | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Team]] = relationship(back_populates="parent")
    managers: Mapped[list[User]] = relationship(
        secondary=team_managers, back_populates="managed_teams", order_by="User.name"
    )
    members: Mapped[list[User]] = relationship(
        back_populates="team", foreign_keys="User.team_id", order_by="User.name"
    )

    def __repr__(self) -> str:
        return f"<Team {self.name!r}>"


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('learner', 'trainer', 'manager', 'admin')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased; the login and the CSV import compare lower-cased emails.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16), default=Role.LEARNER.value)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Set when an admin chose the password; the person must pick their own at next login.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    hire_date: Mapped[date | None] = mapped_column(Date)
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), index=True
    )
    #: Direct manager (reporting line); sees this person even outside their teams.
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The interface language the person chose ("nl", "en"); None: follow the browser.
    locale: Mapped[str | None] = mapped_column(String(8))
    #: The identity provider's stable id for this person (the ID token's ``sub``), stored at
    #: their first single sign-on; later sign-ins match on it, whatever their email became.
    oidc_subject: Mapped[str | None] = mapped_column(String(255), unique=True, index=True)

    team: Mapped[Team | None] = relationship(back_populates="members", foreign_keys=[team_id])
    manager: Mapped[User | None] = relationship(remote_side=[id], back_populates="reports")
    reports: Mapped[list[User]] = relationship(back_populates="manager")
    managed_teams: Mapped[list[Team]] = relationship(
        secondary=team_managers, back_populates="managers", order_by="Team.name"
    )
    aliases: Mapped[list[UserAlias]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="UserAlias.id"
    )

    # Flask-Login protocol -------------------------------------------------------------------
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    #: The key of the login session this object was loaded or logged in under (lms.people.
    #: sessions sets it; never stored): Flask-Login keeps ``get_id()`` in the session cookie and
    #: the remember-me cookie, so both name one server-side session, which logout ends.
    login_key = None

    def get_id(self) -> str:
        if not self.login_key:
            raise RuntimeError("Log people in with lms.people.sessions.start_session.")
        return f"{self.id}:{self.login_key}"

    # Convenience ------------------------------------------------------------------------------
    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def has_role(self, *roles: Role | str) -> bool:
        return self.role in {str(r) for r in roles}

    def alias_values(self, kind: AliasKind) -> list[str]:
        return [a.value for a in self.aliases if a.kind == kind.value]

    def __repr__(self) -> str:
        return f"<User {self.email!r} {self.role}>"


class UserAlias(Base):
    """A name or id under which the CRM knows this person (people change names and CRMs)."""

    __tablename__ = "user_aliases"
    __table_args__ = (
        UniqueConstraint("kind", "value_key"),
        CheckConstraint("kind IN ('crm_id', 'crm_name')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(200))
    #: ``alias_key(value)``: the form used for matching and uniqueness.
    value_key: Mapped[str] = mapped_column(String(200))

    user: Mapped[User] = relationship(back_populates="aliases")


class LoginSession(Base):
    """One login: the browser's cookies name it, logout deletes it, and a new password or a
    deactivation deletes all of the person's. Only a hash of its key is stored."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: sha256 hex of the random key held (with the user id) in the session and remember cookies.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Login time plus REMEMBER_DAYS: no login outlives "keep me logged in", copied or not.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
