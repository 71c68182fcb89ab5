"""API tokens: creating, listing and revoking them, and the decorator that authenticates a
request by its token.

A token is sent as ``Authorization: Bearer <token>``. It acts as its user: the same role and
team scope as that person has in the browser, checked by the same policy (lms.security). It
works until it is revoked or its optional expiry passes; deactivating the person revokes all
their tokens, for good.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import g, jsonify, request
from flask_babel import gettext as _
from flask_babel import refresh
from sqlalchemy import Select, select, update
from sqlalchemy.orm import joinedload

from lms.errors import DomainError
from lms.extensions import db
from lms.i18n import LANGUAGES
from lms.models import ApiToken, Role, User, utcnow
from lms.safeyaml import quote
from lms.security import OutOfScope, choose_scope

F = TypeVar("F", bound=Callable[..., Any])
PREFIX = "vk_"
#: Roles some endpoint serves; the token page offers new tokens to these people only.
API_ROLES = frozenset({Role.MANAGER, Role.ADMIN})
MAX_EXPIRY_DAYS = 3650
#: How fresh "last used" is: a write at most this often per token, not one per API call.
LAST_USED_PRECISION = timedelta(minutes=5)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name: str = "", *,
                 expires_in_days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user``, valid for ``expires_in_days`` (None: until revoked). The plain
    token is returned once and never stored."""
    if not user.active:
        raise DomainError(_("%(email)s is deactivated; reactivate the account first.",
                            email=user.email))
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        raise DomainError(_("A token expires after 1 to %(most)d days.", most=MAX_EXPIRY_DAYS),
                          field="expires_in_days")
    name = " ".join(name.split())
    if len(name) > 100:
        raise DomainError(_("Name the token in at most %(most)d characters.", most=100),
                          field="name")
    plain = PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    expires_at = now + timedelta(days=expires_in_days) if expires_in_days else None
    token = ApiToken(user_id=user.id, name=name, token_hash=_hash(plain), prefix=plain[:10],
                     created_at=now, expires_at=expires_at)
    db.session.add(token)
    db.session.flush()
    return token, plain


def user_for_token(plain: str) -> User | None:
    """The active person a live token belongs to, or None; notes when it was last used."""
    now = utcnow()
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(plain)))
    if token is None or token.status(now) != "active" or not token.user.active:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        token.last_used_at = now
        db.session.commit()
    return token.user


def tokens_query(owner: User | None = None) -> Select:
    """Tokens, newest first, with their people loaded; only ``owner``'s when given."""
    query = select(ApiToken).options(joinedload(ApiToken.user)).order_by(ApiToken.id.desc())
    if owner is not None:
        query = query.where(ApiToken.user_id == owner.id)
    return query


def revoke_token(token: ApiToken) -> None:
    """The token stops working at once; revoking it again changes nothing."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()


def revoke_tokens_of(user: User) -> None:
    """Revoke every token ``user`` still has (deactivation)."""
    db.session.execute(update(ApiToken)
                       .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                       .values(revoked_at=utcnow()))


def requested_scope(user: User):  # noqa: ANN201 - (ScopeChoice, None) or (None, error)
    """The scope a report request asks for with ``?team=NAME``, limited by the policy to what
    the token's user may see; a team out of sight is an error response."""
    name = request.args.get("team", "")
    try:
        return choose_scope(user, name, by_name=True), None
    except OutOfScope:
        return None, api_error(
            404, _("There is no team named %(name)s among the teams you can see.",
                   name=quote(name.strip())))


def api_error(status: int, message: str):  # noqa: ANN201
    return jsonify(error={"status": status, "message": message}), status


def unknown_args(*allowed: str):  # noqa: ANN201 - an error response or None
    """A 400 naming the first query parameter not in ``allowed``: a misspelt ``?teams=``
    must not silently give the whole report."""
    for name in request.args:
        if name not in allowed:
            if not allowed:
                return api_error(400, _("Unknown parameter %(name)s; this endpoint takes none.",
                                        name=quote(name, 40)))
            return api_error(400, _("Unknown parameter %(name)s; use %(allowed)s.",
                                    name=quote(name, 40), allowed=", ".join(allowed)))
    return None


def _speak_as(user: User) -> None:
    """A token acts as its person, in their language too: the answer's messages and labels
    follow their own setting, as their pages do (else the request's Accept-Language, else the
    organisation default)."""
    if user.locale in LANGUAGES:
        g.lms_locale = user.locale
        refresh()  # forget a language chosen earlier in this request


def token_required(*roles: Role | str) -> Callable[[F], F]:
    """Authenticate by bearer token and allow the named roles (admins always)."""
    allowed = {str(r) for r in roles} | {Role.ADMIN.value}

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            scheme, _sep, plain = header.partition(" ")
            if scheme.lower() != "bearer" or not plain.strip():
                return api_error(401, _("Send an API token: %(header)s. %(command)s makes one.",
                                        header="'Authorization: Bearer <token>'",
                                        command="`lms token create EMAIL`"))
            user = user_for_token(plain.strip())
            if user is None:
                return api_error(401, _("This API token is not valid (unknown, revoked, "
                                        "expired, or its account is deactivated)."))
            g.api_user = user
            _speak_as(user)
            if user.role not in allowed:
                return api_error(403, _("This token's account may not use this endpoint."))
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
