"""The database check in front of every command, ``lms backup`` / ``lms restore``, and the
checked ``lms run``.

``guard_commands`` wraps every command of the ``lms`` group in ``schema_problem``, so a
command added later is checked too; the few that work without a migrated database say so with
``needs_no_schema``.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from flask import Flask, current_app
from flask.cli import ScriptInfo, run_command, with_appcontext
from flask_babel import gettext as _

from lms.extensions import db
from lms.i18n import format_number
from lms.maintenance.backup import BackupError, backup_database, restore_database
from lms.maintenance.schema import safe_url, schema_problem

C = TypeVar("C", bound=click.Command)


def needs_no_schema(command: C) -> C:
    """Mark a command (or a whole group) that works without a migrated database."""
    command.needs_schema = False  # type: ignore[attr-defined]
    return command


def needs_schema(command: click.Command) -> bool:
    return getattr(command, "needs_schema", True)


def guard_commands(group: click.Group) -> None:
    """Make every command under ``group`` (recursively) check the database before it runs.
    The commands are module-level objects shared by every app, so each is wrapped once."""
    for command in group.commands.values():
        if not needs_schema(command):
            continue
        if isinstance(command, click.Group):
            guard_commands(command)
        elif command.callback is not None and not getattr(command, "schema_guarded", False):
            command.callback = _checked(command.callback)
            command.schema_guarded = True  # type: ignore[attr-defined]


def _checked(callback: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        problem = schema_problem(current_app._get_current_object())  # type: ignore[attr-defined]
        if problem:
            _fail(problem)
        return callback(*args, **kwargs)

    return with_appcontext(run)


def refuse_to_start(app: Flask, exit_code: int = 1) -> None:
    """Stop the process with one line on stderr unless the database is ready to serve."""
    # In the app's context, so the line is in the organisation's language (LMS_DEFAULT_LOCALE).
    with app.app_context():
        problem = schema_problem(app)
        if problem:
            click.echo(_("Verkoopklaar will not start: %(problem)s", problem=problem), err=True)
    if problem:
        sys.exit(exit_code)


def _checked_run() -> click.Command:
    """Flask's ``run`` with the same options, refusing a database that is not ready."""
    serve = run_command.callback
    assert serve is not None

    @click.pass_context
    def callback(ctx: click.Context, /, **kwargs: Any) -> Any:
        refuse_to_start(ctx.ensure_object(ScriptInfo).load_app())
        return ctx.invoke(serve, **kwargs)

    return click.Command("run", callback=callback, params=run_command.params,
                         help=run_command.help, short_help=run_command.short_help)


checked_run_command = _checked_run()


@needs_no_schema
@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
@with_appcontext
def backup_command(path: Path, force: bool) -> None:
    """Write a consistent copy of the whole database to PATH, also while the site is in use
    (SQLite: a single file; PostgreSQL: a pg_dump custom-format archive)."""
    url = db.engine.url
    try:
        backup_database(url, path, force=force)
    except BackupError as exc:
        _fail(exc.message)
    size = path.stat().st_size
    click.echo(_("Backup of %(url)s written to %(path)s (%(size)s).", url=safe_url(url),
                 path=path, size=_size(size)))


@needs_no_schema
@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the whole database by the backup PATH (made by `lms backup`). Everything
    written since that backup is lost."""
    url = safe_url(db.engine.url)
    if not yes:
        click.confirm(_("Replace every table of %(url)s by the backup %(path)s? Everything "
                        "written since that backup is lost.", url=url, path=path), abort=True)
    db.session.remove()
    try:
        revision = restore_database(db.engine, path)
    except BackupError as exc:
        _fail(exc.message)
    click.echo(_("Restored %(url)s from %(path)s (schema revision %(revision)s).", url=url,
                 path=path, revision=revision))
    problem = schema_problem(current_app._get_current_object())  # type: ignore[attr-defined]
    if problem:
        click.echo(_("Next: %(problem)s", problem=problem), err=True)


def _size(n: int) -> str:
    if n >= 2**20:
        return _("%(size)s MB", size=format_number(n / 2**20, 1))
    return _("%(size)s kB", size=format_number(n / 2**10, 1))


def _fail(message: str) -> None:
    click.echo(_("Error: %(message)s", message=message), err=True)
    sys.exit(1)
