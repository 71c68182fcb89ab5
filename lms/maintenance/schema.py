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
from flask_babel import gettext as _
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import DBAPIError

from lms.extensions import db
from lms.i18n import _l

NOT_MIGRATED = _l("the database has no schema (or an old one): run `lms init`")


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
    # In the app's context: the line is in the organisation's language (LMS_DEFAULT_LOCALE).
    with app.app_context():
        return _schema_problem(app, db.engine)


def _schema_problem(app: Flask, engine: Engine) -> str | None:
    path = sqlite_file(engine.url)
    if path is not None and not path.is_file():
        return _("%(problem)s (there is no database file %(path)s)", problem=NOT_MIGRATED,
                 path=path)
    try:
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    except DBAPIError as exc:
        return _("cannot reach the database %(url)s: %(reason)s", url=safe_url(engine.url),
                 reason=first_line(exc.orig))
    script = ScriptDirectory(app.extensions["migrate"].directory)
    heads = set(script.get_heads())
    if current == heads:
        return None
    if not current:
        return str(NOT_MIGRATED)
    unknown = current - {rev.revision for rev in script.walk_revisions()}
    if unknown:
        return _("the database is at revision %(revisions)s, which this version of the code "
                 "does not know (a newer version migrated it): run that version, or restore a "
                 "backup made by this one", revisions=", ".join(sorted(unknown)))
    return _("%(problem)s (the database is at %(current)s, the code needs %(heads)s)",
             problem=NOT_MIGRATED, current=", ".join(sorted(current)),
             heads=", ".join(sorted(heads)))


def first_line(error: object) -> str:
    """The driver's message without its continuation lines (psycopg adds hints below)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
