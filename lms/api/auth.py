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
from lms.safeyaml import quote
from lms.security import OutOfScope, choose_scope

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


def requested_scope(user: User):  # noqa: ANN201 - (ScopeChoice, None) or (None, error)
    """The scope a report request asks for with ``?team=NAME``, limited by the policy to what
    the token's user may see; a team out of sight is an error response."""
    name = request.args.get("team", "")
    try:
        return choose_scope(user, name, by_name=True), None
    except OutOfScope:
        return None, api_error(
            404, f"There is no team named {quote(name.strip())} among the teams you can see.")


def api_error(status: int, message: str):  # noqa: ANN201
    return jsonify(error={"status": status, "message": message}), status


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
