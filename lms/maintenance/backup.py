"""Backups of the whole database, consistent while the site is in use, and putting one back.

SQLite: the online backup API copies the database as of one moment in a single step while
writers carry on (WAL), into one self-contained file. PostgreSQL: ``pg_dump`` in its custom
format (one transaction's snapshot), restored with ``pg_restore --clean`` in a single
transaction. The caller has checked nothing about the schema: a backup of an old database
before an upgrade is exactly what one wants.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path
from urllib.request import pathname2url

from flask_babel import gettext as _
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.engine import URL

from lms.errors import DomainError
from lms.maintenance.schema import first_line, safe_url, sqlite_file
from lms.models import ChangeCounter

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(DomainError):
    pass


def backup_database(url: URL, target: Path, *, force: bool = False) -> None:
    """Write a backup of the database at ``url`` to ``target``. The file appears only when it
    is complete (written beside it, then renamed)."""
    if target.is_dir():
        raise BackupError(_("%(path)s is a folder; give a file name.", path=target))
    if target.exists() and not force:
        raise BackupError(_("%(path)s already exists; use --force to overwrite it.",
                            path=target))
    if not target.parent.is_dir():
        raise BackupError(_("the folder %(folder)s does not exist.", folder=target.parent))
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        path = sqlite_file(url)
        if path is not None:
            _sqlite_backup(path, partial)
        elif url.get_backend_name() == "postgresql":
            _run(_pg_tool("pg_dump"), "--format=custom", f"--file={partial}",
                 f"--dbname={_conninfo(url)}", env=_pg_env(url))
        else:
            raise BackupError(_("cannot back up %(url)s: only SQLite files and PostgreSQL are "
                                "supported.", url=safe_url(url)))
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def restore_database(engine: Engine, source: Path) -> str:
    """Replace the database of ``engine`` by the backup ``source``; returns the backup's
    migration revision. Every table is replaced, none is merged."""
    if not source.is_file():
        raise BackupError(_("there is no backup file %(path)s.", path=source))
    url = engine.url
    path = sqlite_file(url)
    with source.open("rb") as fh:
        magic = fh.read(len(SQLITE_MAGIC))
    if path is not None:
        if not magic.startswith(SQLITE_MAGIC):
            raise BackupError(_("%(path)s is not an SQLite backup (lms backup on SQLite "
                                "writes one).", path=source))
        if path.exists() and path.resolve() == source.resolve():
            raise BackupError(_("%(path)s is the database itself.", path=source))
        before = _counters(engine) if path.is_file() else {}
        # Our own pooled connections would hold locks.
        engine.dispose()
        _sqlite_restore(source, path)
    elif url.get_backend_name() == "postgresql":
        if not magic.startswith(PGDUMP_MAGIC):
            raise BackupError(_("%(path)s is not a pg_dump custom-format archive (lms backup "
                                "on PostgreSQL writes one).", path=source))
        before = _counters(engine)
        # Our own pooled connections would hold locks (and stale prepared statements).
        engine.dispose()
        _pg_restore(engine, source)
    else:
        raise BackupError(_("cannot restore into %(url)s: only SQLite files and PostgreSQL "
                            "are supported.", url=safe_url(url)))
    return _after_restore(engine, before)


def _sqlite_backup(source: Path, partial: Path) -> None:
    if not source.is_file():
        raise BackupError(_("there is no database file %(path)s.", path=source))
    with closing(sqlite3.connect(source, timeout=15)) as src, \
            closing(sqlite3.connect(partial)) as dst:
        # One step (pages=-1) reads the whole database in one read transaction: a snapshot of
        # one moment, while the site's writers go on in the WAL.
        src.backup(dst)
        # The copy carries the WAL flag; make it one self-contained file.
        dst.execute("PRAGMA journal_mode=DELETE")
        _quick_check(dst, partial)


def _sqlite_restore(source: Path, live: Path) -> None:
    uri = f"file:{pathname2url(str(source.resolve()))}?mode=ro"
    try:
        with closing(sqlite3.connect(uri, uri=True)) as src:
            _quick_check(src, source)
            if src.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'"
                           ).fetchone() is None:
                raise BackupError(_("%(path)s is not a backup of this site (no schema "
                                    "version).", path=source))
            live.parent.mkdir(parents=True, exist_ok=True)
            # The backup API writes through SQLite's own locking and WAL, so connections of a
            # running site see the restored data at their next transaction (a file copy would
            # corrupt a database in WAL mode).
            with closing(sqlite3.connect(live, timeout=15)) as dst:
                src.backup(dst)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{source}: {exc}") from None


def _quick_check(conn: sqlite3.Connection, path: Path) -> None:
    result = conn.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise BackupError(_("%(path)s is damaged: %(result)s", path=path, result=result))


def _pg_restore(engine: Engine, source: Path) -> None:
    url = engine.url
    pg_restore = _pg_tool("pg_restore")
    listing = _run(pg_restore, "--list", str(source), env=_pg_env(url))
    _drop_what_the_backup_lacks(engine, listing)
    _run(pg_restore, "--clean", "--if-exists", "--no-owner", "--single-transaction",
         "--exit-on-error", f"--dbname={_conninfo(url)}", str(source), env=_pg_env(url))


_TOC_ENTRY = re.compile(r"^\d+; \d+ \d+ (TABLE|FUNCTION) (\S+) (\S+?)(?:\(.*\))?(?: \S*)?$")


def _drop_what_the_backup_lacks(engine: Engine, listing: str) -> None:
    """``--clean`` drops only what the archive holds: a table or trigger function added by a
    later migration would survive an older backup's restore, and `lms init` would then fail
    to create it. Drop those first, so the restored database is the backup and nothing else."""
    in_backup = {(kind, name) for kind, _schema, name in
                 (m.groups() for m in map(_TOC_ENTRY.match, listing.splitlines()) if m)}
    with engine.begin() as conn:
        tables = set(inspect(conn).get_table_names())
        functions = set(conn.scalars(text(
            "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = current_schema() AND p.prokind = 'f'")))
        for name in sorted(tables - {n for k, n in in_backup if k == "TABLE"}):
            conn.execute(text(f'DROP TABLE IF EXISTS "{name}" CASCADE'))
        for name in sorted(functions - {n for k, n in in_backup if k == "FUNCTION"}):
            conn.execute(text(f'DROP FUNCTION IF EXISTS "{name}" CASCADE'))
    engine.dispose()


def _counters(engine: Engine) -> dict[str, int]:
    if not inspect(engine).has_table(ChangeCounter.__tablename__):
        return {}
    with engine.connect() as conn:
        return dict(conn.execute(select(ChangeCounter.name, ChangeCounter.number)).all())


def _after_restore(engine: Engine, before: dict[str, int]) -> str:
    """Move the change counters past every value they had: the reports' caches of running
    servers are keyed by them, and a restored (lower) counter would reach a cached value again
    with different data behind it."""
    with engine.begin() as conn:
        tables = set(inspect(conn).get_table_names())
        if "alembic_version" not in tables:
            raise BackupError(_("the restored database has no schema version."))
        revision = ", ".join(conn.scalars(text("SELECT version_num FROM alembic_version")))
        if ChangeCounter.__tablename__ in tables:
            restored = dict(conn.execute(select(ChangeCounter.name, ChangeCounter.number)).all())
            for name, number in restored.items():
                conn.execute(ChangeCounter.__table__.update()
                             .where(ChangeCounter.name == name)
                             .values(number=max(number, before.get(name, 0)) + 1))
    engine.dispose()
    return revision


def _pg_tool(name: str) -> str:
    """``pg_dump``/``pg_restore`` from PATH, else the newest beside a Debian server's binaries
    (it must be at least the server's version)."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                      key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    if versions:
        return str(versions[-1])
    raise BackupError(_("%(tool)s was not found: install the PostgreSQL client tools (Debian: "
                        "apt-get install postgresql-client) or put %(tool)s on PATH.",
                        tool=name))


def _conninfo(url: URL) -> str:
    """A libpq URI without the password (that goes in PGPASSWORD, out of the process list)."""
    return url.set(drivername="postgresql", password=None).render_as_string(
        hide_password=False)


def _pg_env(url: URL) -> dict[str, str]:
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return env


def _run(*args: str, env: dict[str, str]) -> str:
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise BackupError(_("%(tool)s could not run: %(reason)s", tool=args[0],
                            reason=exc)) from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        errors = [line for line in lines if "error" in line.lower()] or lines
        detail = first_line(errors[0]) if errors else _("exit status %(status)d",
                                                         status=done.returncode)
        raise BackupError(_("%(tool)s failed: %(detail)s", tool=Path(args[0]).name,
                            detail=detail))
    return done.stdout
