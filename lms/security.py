"""The authorisation policy: roles, team scope and object access, used by every route and the API.

Rules: anonymous people are sent to the login page; learners see only their own data; managers
see the people of the teams they manage (and of every team below those) and their direct
reports; trainers get the content tools; admins pass every check.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import select

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


def managed_team_ids(user: User) -> set[int]:
    """Ids of the teams ``user`` manages, and of all teams below them (one recursive query)."""
    tree = (
        select(team_managers.c.team_id.label("id"))
        .where(team_managers.c.user_id == user.id)
        .cte("managed", recursive=True)
    )
    # UNION (not UNION ALL) stops at teams already seen, so a parent cycle cannot loop.
    tree = tree.union(select(Team.id).where(Team.parent_id == tree.c.id))
    return set(db.session.scalars(select(tree.c.id)))


def visible_people_query(viewer: User):  # noqa: ANN201 - a Select of User
    """A SELECT of the users ``viewer`` may see; list pages filter on top of it."""
    query = select(User)
    if viewer.has_role(Role.ADMIN):
        return query
    if viewer.has_role(Role.MANAGER):
        team_ids = managed_team_ids(viewer)
        return query.where(
            (User.id == viewer.id) | (User.manager_id == viewer.id) | User.team_id.in_(team_ids)
        )
    return query.where(User.id == viewer.id)


def can_view_user(viewer: User, target: User) -> bool:
    if viewer.id == target.id or viewer.has_role(Role.ADMIN):
        return True
    if viewer.has_role(Role.MANAGER):
        return target.manager_id == viewer.id or target.team_id in managed_team_ids(viewer)
    return False


def get_visible_user_or_404(viewer: User, user_id: int) -> User:
    """Load a person the viewer may see. Out of scope answers 404 so ids of other teams' people
    cannot be probed."""
    user = db.get_or_404(User, user_id)
    if not can_view_user(viewer, user):
        abort(404)
    return user


def get_token_or_404(viewer: User, token_id: int) -> ApiToken:
    """An API token the viewer may manage: their own; an admin, anyone's. Others answer 404."""
    # Beyond the id column's range SQLite refuses the query itself: no such token either way.
    token = db.session.get(ApiToken, token_id) if 0 < token_id < 2**31 else None
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
