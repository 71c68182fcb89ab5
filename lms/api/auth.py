"""API tokens: creating them, and the decorator that authenticates a request by its token.

A token is sent as ``Authorization: Bearer <token>``. It acts as its user: the same role and
team scope as that person has in the browser, checked by the same policy (lms.security).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import g, jsonify, request
from sqlalchemy import select

from lms.extensions import db
from lms.models import ApiToken, Role, User, utcnow

F = TypeVar("F", bound=Callable[..., Any])
PREFIX = "vk_"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user``; the plain token is returned once and never stored."""
    plain = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=_hash(plain), prefix=plain[:10])
    db.session.add(token)
    db.session.flush()
    return token, plain


def user_for_token(plain: str) -> User | None:
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(plain),
                                                     ApiToken.revoked_at.is_(None)))
    if token is None or not token.user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > timedelta(hours=1):
        token.last_used_at = now
        db.session.commit()
    return token.user


def requested_scope(user: User):  # noqa: ANN201 - (viewer, team id, scope) or an error
    """The team scope a report request asks for with ``?team=NAME``, limited to what the
    token's user may see. Returns ``(viewer, team_id, scope, None)`` or, for a team out of
    sight, ``(None, None, None, error response)``."""
    from lms.analytics.scope import OutOfScope, ViewerScope

    viewer = ViewerScope(user)
    name = request.args.get("team", "").strip()
    try:
        team_id = viewer.team_id_by_name(name) if name else None
        return viewer, team_id, viewer.scope(team_id), None
    except OutOfScope:
        return None, None, None, api_error(
            404, f"There is no team named {name!r} among the teams you can see.")


def api_error(status: int, message: str):  # noqa: ANN201
    return jsonify(error={"status": status, "message": message}), status


def unknown_args(*allowed: str):  # noqa: ANN201 - an error response or None
    """A 400 naming the first query parameter not in ``allowed``: a misspelt ``?teams=``
    must not silently give the whole report."""
    for name in request.args:
        if name not in allowed:
            shown = name if len(name) <= 40 else name[:39] + "…"
            return api_error(400, f"Unknown parameter {shown!r}; use "
                                  f"{', '.join(allowed) or 'none'}.")
    return None


def token_required(*roles: Role | str) -> Callable[[F], F]:
    """Authenticate by bearer token and allow the named roles (admins always)."""
    allowed = {str(r) for r in roles} | {Role.ADMIN.value}

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            scheme, _, plain = header.partition(" ")
            if scheme.lower() != "bearer" or not plain.strip():
                return api_error(401, "Send an API token: 'Authorization: Bearer <token>'. "
                                      "`lms token create EMAIL` makes one.")
            user = user_for_token(plain.strip())
            if user is None:
                return api_error(401, "This API token is not valid (unknown, revoked, or its "
                                      "account is deactivated).")
            if user.role not in allowed:
                return api_error(403, "This token's account may not use this endpoint.")
            g.api_user = user
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
