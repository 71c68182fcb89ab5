"""Login sessions kept on the server: one row per login, so logging out ends that login.

The session cookie and the remember-me cookie both hold ``"<user id>:<key>"`` (Flask-Login
stores ``User.get_id()`` in them). A cookie is only signed, not secret from whoever holds a
copy, so it counts only while its row exists: logout deletes the row, a new password or a
deactivation deletes all the person's rows. The database stores a hash of each key.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_login import login_user
from sqlalchemy import bindparam, delete, select

from lms.extensions import db
from lms.models import LoginSession, User, utcnow


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start_session(user: User, *, remember: bool = False, fresh: bool = True) -> None:
    """Log ``user`` in (Flask-Login) under a new server-side session; the caller commits."""
    now = utcnow()
    # Sessions nobody logged out of would pile up: drop every expired one at each login.
    db.session.execute(delete(LoginSession).where(LoginSession.expires_at <= now))
    key = secrets.token_urlsafe(32)
    lifetime = timedelta(days=int(current_app.config["REMEMBER_DAYS"]))
    db.session.add(LoginSession(user_id=user.id, key_hash=_hash(key), created_at=now,
                                expires_at=now + lifetime))
    db.session.flush()
    user.login_key = key
    login_user(user, remember=remember, fresh=fresh)


# Built once: every request runs it, and building it cost more than running it.
_SESSION_USER = (
    select(User).join(LoginSession, LoginSession.user_id == User.id)
    .where(LoginSession.key_hash == bindparam("key_hash"), User.id == bindparam("user_id"),
           LoginSession.expires_at > bindparam("now"), User.active.is_(True)))


def user_for_session(session_id: str) -> User | None:
    """The active person whose live login ``session_id`` names, or None (then: anonymous)."""
    user_id, _, key = session_id.partition(":")
    if not user_id.isdigit() or not key:
        return None
    user = db.session.scalar(_SESSION_USER, {"key_hash": _hash(key), "user_id": int(user_id),
                                             "now": utcnow()})
    if user is not None:
        user.login_key = key
    return user


def end_session(user: User) -> None:
    """End the login ``user`` was loaded under (logout); their other logins stay."""
    if user.login_key:
        db.session.execute(delete(LoginSession).where(
            LoginSession.key_hash == _hash(user.login_key)))
        user.login_key = None


def end_all_sessions(user: User) -> None:
    """End every login of ``user`` on every device (new password, deactivation)."""
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    user.login_key = None
