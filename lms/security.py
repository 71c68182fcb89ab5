"""The authorisation policy: roles, team scope and object access, used by every route, report,
export, API endpoint, command and mail.

Rules: anonymous people are sent to the login page; learners see only their own data; managers
see the people of the teams they manage (and of every team below those) and their direct
reports; trainers get the content tools; admins pass every check. This module is the only place
that says who sees whom: everything else asks it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, replace
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import Select, and_, false, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from lms.bounds import MAX_ID, parse_id
from lms.extensions import db, login_manager
from lms.models import ApiToken, Role, Team, User, team_managers
from lms.people.sessions import user_for_session

F = TypeVar("F", bound=Callable[..., Any])


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Resolve ``"<id>:<login key>"`` to its person while that login lasts (lms.people.sessions):
    after logout, a new password or a deactivation the cookie is anonymous."""
    return user_for_session(session_id)


def role_required(*roles: Role | str) -> Callable[[F], F]:
    """Allow the named roles (admins always); others get 403, anonymous people the login page."""
    allowed = {str(r) for r in roles} | {Role.ADMIN.value}

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return login_required(wrapped)  # type: ignore[return-value]

    return decorator


# Who sees whom ----------------------------------------------------------------------------------
#
# The one owner of "which people may this viewer see". Pages, exports, the API, the command line
# and the reminders all ask here: ``viewer_scope`` for everything a viewer may see, ``choose_scope``
# for a report's team choice, and ``Scope`` turns either into SQL (or checks one person).


class OutOfScope(LookupError):
    """The team does not exist or is not the viewer's to see (views answer 404)."""


@dataclass(frozen=True)
class Scope:
    """A set of people: everyone; or the members of ``team_ids``, the direct reports of
    ``manager_id`` and the people ``user_ids``, whatever their role or state."""

    everyone: bool = False
    team_ids: frozenset[int] = frozenset()
    manager_id: int | None = None
    user_ids: frozenset[int] = frozenset()

    @property
    def key(self) -> Hashable:
        return (self.everyone, tuple(sorted(self.team_ids)), self.manager_id,
                tuple(sorted(self.user_ids)))

    def condition(self) -> ColumnElement[bool]:
        """SQL on ``users``: the person is in the scope."""
        if self.everyone:
            return true()
        who = []
        if self.team_ids:
            who.append(User.team_id.in_(sorted(self.team_ids)))
        if self.manager_id is not None:
            who.append(User.manager_id == self.manager_id)
        if self.user_ids:
            who.append(User.id.in_(sorted(self.user_ids)))
        return or_(*who) if who else false()

    def includes(self, *, user_id: int, team_id: int | None, manager_id: int | None) -> bool:
        """``condition`` for one person already in hand (a test holds the two equal)."""
        return (self.everyone or user_id in self.user_ids
                or (team_id is not None and team_id in self.team_ids)
                or (manager_id is not None and manager_id == self.manager_id))

    def includes_user(self, user: User) -> bool:
        return self.includes(user_id=user.id, team_id=user.team_id, manager_id=user.manager_id)


def scope_condition(scope: Scope) -> ColumnElement[bool]:
    """SQL on ``users``: a salesperson (learner) in the scope, active or not (the sales reports
    keep people who left; the readiness report adds ``active``)."""
    return and_(User.role == Role.LEARNER.value, scope.condition())


def team_subtree(roots: Iterable[int] | Select) -> set[int]:
    """The teams ``roots`` (ids, or a SELECT of them) and every team below them, in one
    recursive query."""
    start = roots if isinstance(roots, Select) else select(Team.id).where(
        Team.id.in_(sorted(set(roots))))
    tree = select(start.subquery().c[0].label("id")).cte("subtree", recursive=True)
    # UNION (not UNION ALL) stops at teams already seen, so a parent cycle cannot loop.
    tree = tree.union(select(Team.id).where(Team.parent_id == tree.c.id))
    return set(db.session.scalars(select(tree.c.id)))


def managed_team_ids(user: User) -> set[int]:
    """Ids of the teams ``user`` manages, and of all teams below them."""
    return team_subtree(select(team_managers.c.team_id).where(team_managers.c.user_id == user.id))


def managed_scope(user: User, managed: set[int] | None = None) -> Scope:
    """The people ``user`` manages, admin or not: the members of the teams they manage and
    below (``managed``, when already known) and their direct reports."""
    teams = managed_team_ids(user) if managed is None else managed
    return Scope(team_ids=frozenset(teams), manager_id=user.id)


def viewer_scope(viewer: User | None, managed: set[int] | None = None) -> Scope:
    """Everyone ``viewer`` may see: admins (and the command line, ``None``) everyone; managers
    the people of the teams they manage and below (``managed``, when already known), their
    direct reports and themselves; anyone else themselves only."""
    if viewer is None or viewer.has_role(Role.ADMIN):
        return Scope(everyone=True)
    if viewer.has_role(Role.MANAGER):
        return replace(managed_scope(viewer, managed), user_ids=frozenset({viewer.id}))
    return Scope(user_ids=frozenset({viewer.id}))


def visible_people_query(viewer: User) -> Select:
    """A SELECT of the users ``viewer`` may see; list pages filter on top of it."""
    return select(User).where(viewer_scope(viewer).condition())


def visible_people_ids(viewer: User) -> Select:
    """The ids of ``visible_people_query``, uncorrelated so it can sit inside a query that
    joins ``users`` itself."""
    return select(User.id).where(viewer_scope(viewer).condition()).correlate(None)


def can_view_user(viewer: User, target: User) -> bool:
    return viewer_scope(viewer).includes_user(target)


def get_visible_user_or_404(viewer: User, user_id: int) -> User:
    """Load a person the viewer may see. Out of scope answers 404 so ids of other teams' people
    cannot be probed."""
    user = db.session.get(User, user_id) if 0 < user_id <= MAX_ID else None
    if user is None or not can_view_user(viewer, user):
        abort(404)
    return user


@dataclass(frozen=True)
class TeamOption:
    id: int
    name: str
    parent_id: int | None
    depth: int  # 0 for the top teams the viewer sees, 1 below them ...


class Visibility:
    """The teams a viewer may choose in a report, and the Scope of each choice.

    Admins and the command line (``viewer=None``) choose among the active teams; managers among
    the teams they manage and those below. Choosing nothing is everything the viewer may see.
    """

    def __init__(self, viewer: User | None) -> None:
        self.viewer = viewer
        self.sees_everyone = viewer is None or viewer.has_role(Role.ADMIN)
        teams = db.session.execute(
            select(Team.id, Team.name, Team.parent_id, Team.active).order_by(Team.name)).all()
        self._parents = {t.id: t.parent_id for t in teams}
        self._names = {t.id: t.name for t in teams}
        if self.sees_everyone:
            self.allowed = {t.id for t in teams if t.active}
        else:
            assert viewer is not None
            self.allowed = managed_team_ids(viewer)

    def options(self) -> list[TeamOption]:
        """Teams to choose from, each under its parent, in name order."""
        children: dict[int | None, list[int]] = {}
        for tid in self.allowed:
            parent = self._parents.get(tid)
            children.setdefault(parent if parent in self.allowed else None, []).append(tid)
        out: list[TeamOption] = []
        placed: set[int] = set()

        def walk(parent: int | None, depth: int) -> None:
            for tid in sorted(children.get(parent, ()), key=lambda t: self._names[t].casefold()):
                if tid not in placed:
                    placed.add(tid)
                    out.append(TeamOption(tid, self._names[tid], self._parents.get(tid), depth))
                    walk(tid, depth + 1)

        walk(None, 0)
        return out

    def team_name(self, team_id: int) -> str:
        return self._names[team_id]

    def team_id_by_name(self, name: str) -> int:
        """A team the viewer may choose, by its name (case does not matter)."""
        wanted = name.strip().casefold()
        for tid in self.allowed:
            if self._names[tid].casefold() == wanted:
                return tid
        raise OutOfScope(name)

    def scope(self, team_id: int | None = None) -> Scope:
        if team_id is None:
            return viewer_scope(self.viewer, managed=self.allowed)
        if team_id not in self.allowed:
            raise OutOfScope(team_id)
        below = team_subtree([team_id])
        return Scope(team_ids=frozenset(below if self.sees_everyone else below & self.allowed))

    def label(self, team_id: int | None) -> str:
        if team_id is not None:
            return self.team_name(team_id)
        return _("Everyone") if self.sees_everyone else _("All your teams")


@dataclass(frozen=True)
class ScopeChoice:
    """A report's answer to "whose figures?": what the viewer may choose, the team chosen (or
    None) and the people that makes."""

    visibility: Visibility
    team_id: int | None
    scope: Scope

    @property
    def label(self) -> str:
        return self.visibility.label(self.team_id)


def choose_scope(viewer: User | None, team: str | None, *, by_name: bool = False) -> ScopeChoice:
    """Turn a viewer and a report request's team choice (a team id from a page's ``?team=``, or
    a name from the API or the command line) into a scope. A team that does not exist, is not
    the viewer's, or is no number at all raises OutOfScope, which callers answer as not found."""
    visibility = Visibility(viewer)
    team = (team or "").strip()
    if not team:
        return ScopeChoice(visibility, None, visibility.scope())
    if by_name:
        team_id = visibility.team_id_by_name(team)
    elif (team_id := parse_id(team)) is None:
        raise OutOfScope(team)
    return ScopeChoice(visibility, team_id, visibility.scope(team_id))


def choose_scope_or_404(viewer: User | None, team: str | None) -> ScopeChoice:
    """``choose_scope`` for a page: a team out of sight answers 404, as if it did not exist."""
    try:
        return choose_scope(viewer, team)
    except OutOfScope:
        abort(404)


def get_token_or_404(viewer: User, token_id: int) -> ApiToken:
    """An API token the viewer may manage: their own; an admin, anyone's. Others answer 404."""
    token = db.session.get(ApiToken, token_id) if 0 < token_id <= MAX_ID else None
    if token is None or not (token.user_id == viewer.id or viewer.has_role(Role.ADMIN)):
        abort(404)
    return token


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def set_security_headers(response):  # noqa: ANN001, ANN201 - Flask response
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if response.mimetype == "text/html":
        # Pages show personal data: never keep them in shared caches or the back-forward cache.
        response.headers.setdefault("Cache-Control", "no-store")
    return response
