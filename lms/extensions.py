"""Flask extensions, created unbound here and bound to the app in ``create_app``."""

from __future__ import annotations

import sqlite3

from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine

import lms.ratelimit  # noqa: F401 - registers the database:// storage for RATELIMIT_STORAGE_URI
from lms.models.base import Base

db = SQLAlchemy(model_class=Base)


def commit_keeping_loaded() -> None:
    """Commit without expiring what the request has loaded: for a page that writes a little
    (a module opened) and then shows what it read. A plain commit expires every row, and the
    page would read the person, the content and their progress again, one lazy load at a
    time; committing after rendering instead would hold SQLite's write lock while rendering."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


def login_account_key() -> str:
    """Rate-limit key for the account being logged into, so one address cannot spread guesses."""
    email = (request.form.get("email") or "").strip().casefold()
    return f"login-account:{email}"


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - DB-API connection
    """WAL lets readers work during a write; foreign keys are off by default in SQLite."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
