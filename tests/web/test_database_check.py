"""Every `lms` command that needs the database says "run `lms init`" in one line, and exits 1,
on a database file that does not exist (and leaves none behind), an empty one and one at an
older migration; the few that work without a schema are exactly the ones listed here."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from flask_migrate import upgrade

from lms import create_app
from lms.extensions import db
from lms.inputs import DayType, IdType
from lms.maintenance.commands import needs_schema
from tests.conftest import base_config

HINT = "Error: the database has no schema (or an old one): run `lms init`"
OLD_REVISION = "0005_digest_unique"

#: Commands that must work without a migrated database; anything else is checked.
SCHEMA_FREE = {"init", "db", "backup", "restore", "content check", "content import-gift"}


def walk(group: click.Group, prefix: str = "", checked: bool = True
         ) -> Iterator[tuple[str, click.Command, bool]]:
    """(name, command, checked) of every command under ``group``, groups included."""
    for name, command in sorted(group.commands.items()):
        path = f"{prefix}{name}"
        is_checked = checked and needs_schema(command)
        yield path, command, is_checked
        if isinstance(command, click.Group):
            yield from walk(command, f"{path} ", is_checked)


def _all_commands() -> list[tuple[str, click.Command, bool]]:
    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x", "TESTING": True})
    return list(walk(app.cli))


COMMANDS = _all_commands()
CHECKED = [path for path, command, checked in COMMANDS
           if checked and not isinstance(command, click.Group)]


def test_only_the_listed_commands_skip_the_check():
    unchecked = {path for path, _command, checked in COMMANDS if not checked}
    # A group's subcommands are unchecked with it: name the group only.
    tops = {path for path in unchecked if not any(path.startswith(f"{other} ")
                                                  for other in unchecked)}
    assert tops == SCHEMA_FREE
    assert len(CHECKED) >= 13  # the walk found the commands


def required_arguments(command: click.Command, tmp_path: Path) -> list[str]:
    """Plausible values for the command's required arguments and options, so that it gets
    past click's own checks and reaches the database."""
    args: list[str] = []
    for param in command.params:
        if not param.required:
            continue
        kind = param.type
        if isinstance(kind, click.Path) and not kind.file_okay:  # a folder
            value = str(tmp_path / "folder")
        elif isinstance(kind, click.Path):
            sample = tmp_path / "input.csv"
            sample.write_text("email,name,role\n", encoding="utf-8")
            value = str(sample)
        elif isinstance(kind, click.Choice):
            value = str(kind.choices[0])
        elif isinstance(kind, click.types.IntParamType | click.types.FloatParamType | IdType):
            value = "1"
        elif isinstance(kind, click.DateTime | DayType):
            value = "2026-01-01"
        else:
            value = "someone@example.com"
        args += [param.opts[0], value] if isinstance(param, click.Option) else [value]
    return args


@pytest.fixture(scope="module")
def old_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("old")
    path = tmp / "old.sqlite3"
    app = create_app(base_config(tmp, f"sqlite:///{path}"))
    with app.app_context():
        upgrade(revision=OLD_REVISION)
        db.engine.dispose()
    return path


@pytest.mark.parametrize("state", ["missing", "empty", "old"])
@pytest.mark.parametrize("path", CHECKED)
def test_command_without_a_current_schema_says_run_lms_init(path, state, tmp_path,
                                                            old_database):
    database = tmp_path / "db" / "lms.sqlite3"
    database.parent.mkdir()
    if state == "empty":
        database.touch()
    elif state == "old":
        shutil.copyfile(old_database, database)
    app = create_app(base_config(tmp_path, f"sqlite:///{database}"))
    command = dict((p, c) for p, c, _ in COMMANDS)[path]
    args = [*path.split(), *required_arguments(command, tmp_path)]

    result = app.test_cli_runner().invoke(args=args)
    with app.app_context():
        db.engine.dispose()

    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(HINT), result.output
    assert result.stdout == ""
    assert "Traceback" not in result.output
    if state == "missing":
        assert lines[0].endswith(f"(there is no database file {database})")
        assert not database.exists()
    if state == "old":
        assert f"the database is at {OLD_REVISION}" in lines[0]


def test_a_database_made_by_a_newer_version_is_not_sent_to_lms_init(runner):
    head = db.session.scalar(db.text("SELECT version_num FROM alembic_version"))
    db.session.execute(db.text("UPDATE alembic_version SET version_num = '0099_future'"))
    db.session.commit()
    try:
        result = runner.invoke(args=["sales", "imports"])
    finally:
        # On PostgreSQL the database outlives the test (only the data is emptied).
        db.session.execute(db.text("UPDATE alembic_version SET version_num = :head"),
                           {"head": head})
        db.session.commit()
    assert result.exit_code == 1
    assert "at revision 0099_future, which this version of the code does not know" in \
        result.stderr
    assert "lms init" not in result.stderr


def test_a_migrated_database_passes_the_check(runner):
    result = runner.invoke(args=["sales", "imports"])
    assert result.exit_code == 0, result.output
    assert "No sales imports yet." in result.output
