"""Is the database ready for this code? Reachable, and at the newest migration.

Every ``lms`` command that reads or writes the database asks ``schema_problem`` first, and so
do the site's entry points (``wsgi.py`` and ``lms run``), so a missing, empty, old or
unreachable database gives one line that says what to do instead of a traceback per query.
"""

from __future__ import annotations

from pathlib import Path

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

from lms.extensions import db

NOT_MIGRATED = "the database has no schema (or an old one): run `lms init`"


def sqlite_file(url: URL) -> Path | None:
    """The file behind an SQLite URL; None for other databases and in-memory ones."""
    if url.get_backend_name() != "sqlite":
        return None
    name = url.database or ""
    if name in ("", ":memory:") or name.startswith("file:") or url.query.get("uri"):
        return None
    return Path(name)


def safe_url(url: URL | str) -> str:
    """The URL as it may be printed: without its password."""
    return make_url(url).render_as_string(hide_password=True)


def schema_problem(app: Flask) -> str | None:
    """None when the database is reachable and at the newest migration; otherwise one line
    saying what is wrong and what to do. Creates nothing: an SQLite file that does not exist
    is reported before anything connects (connecting would create it)."""
    with app.app_context():
        engine = db.engine
    path = sqlite_file(engine.url)
    if path is not None and not path.is_file():
        return f"{NOT_MIGRATED} (there is no database file {path})"
    try:
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    except DBAPIError as exc:
        return f"cannot reach the database {safe_url(engine.url)}: {first_line(exc.orig)}"
    script = ScriptDirectory(app.extensions["migrate"].directory)
    heads = set(script.get_heads())
    if current == heads:
        return None
    if not current:
        return NOT_MIGRATED
    unknown = current - {rev.revision for rev in script.walk_revisions()}
    if unknown:
        return (f"the database is at revision {', '.join(sorted(unknown))}, which this version "
                "of the code does not know (a newer version migrated it): run that version, or "
                "restore a backup made by this one")
    return (f"{NOT_MIGRATED} (the database is at {', '.join(sorted(current))}, "
            f"the code needs {', '.join(sorted(heads))})")


def first_line(error: object) -> str:
    """The driver's message without its continuation lines (psycopg adds hints below)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
