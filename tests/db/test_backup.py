"""`lms backup` and `lms restore`: every attempt and sale comes back, on SQLite and (with
LMS_TEST_DATABASE_URL) on PostgreSQL; an SQLite backup taken while writers run is one moment."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.engine import make_url

from lms.extensions import db
from lms.maintenance.backup import backup_database
from lms.models import Attempt, Sale, Submission
from tests.conftest import PG_URL
from tests.factories import make_user
from tests.impact_helpers import add_sale, train
from tests.learning_helpers import sync, write_practice

BATCH = 40


def rows(model) -> list[tuple]:  # noqa: ANN001 - a mapped class
    columns = list(model.__table__.columns)
    return [tuple(r) for r in db.session.execute(select(*columns).order_by(columns[0]))]


@pytest.fixture
def history(app, content_copy) -> None:  # noqa: ARG001 - needs the app's content copy
    write_practice(content_copy)
    sync(content_copy)
    for n, correct in enumerate(([5], [2, 4], [3])):
        person = make_user(email=f"rep{n}@example.com")
        train(person, f"2026-03-1{n}", correct)
        add_sale(person, stage="won", amount=1200.5 + n)
        add_sale(person, stage="lost", closed="2026-02-01")
        add_sale(person, stage="open")
    db.session.commit()


def test_restore_brings_back_every_attempt_and_sale(runner, history, tmp_path):
    attempts, submissions, sales = rows(Attempt), rows(Submission), rows(Sale)
    assert len(attempts) == 4 and len(sales) == 9
    backup = tmp_path / "site.backup"

    made = runner.invoke(args=["backup", str(backup)])
    assert made.exit_code == 0, made.output
    assert f"written to {backup}" in made.output

    db.session.execute(delete(Sale).where(Sale.stage == "won"))
    db.session.execute(update(Sale).values(amount=1))
    db.session.execute(delete(Attempt).where(Attempt.id == attempts[0][0]))
    db.session.commit()
    assert rows(Sale) != sales and rows(Attempt) != attempts

    back = runner.invoke(args=["restore", str(backup), "--yes"])
    assert back.exit_code == 0, back.output
    assert "Restored" in back.output and back.stderr == ""  # at the newest schema already
    assert rows(Attempt) == attempts
    assert rows(Submission) == submissions
    assert rows(Sale) == sales
    # The site can go on: new data lands after the restored ids.
    person = make_user(email="after@example.com")
    add_sale(person)
    db.session.commit()
    assert len(rows(Sale)) == 10


def test_a_report_after_a_restore_shows_the_restored_data(runner, app, tmp_path):
    """The reports' cache is keyed by change counters; a restore must not bring back a
    counter value that a cached report was made for."""
    def learners() -> set[str]:
        result = runner.invoke(args=["report", "readiness", "--format", "json"])
        assert result.exit_code == 0, result.output
        return {r["email"] for r in json.loads(result.output)}

    make_user(email="kept@example.com")
    backup = tmp_path / "site.backup"
    assert runner.invoke(args=["backup", str(backup)]).exit_code == 0
    make_user(email="lost@example.com")
    assert learners() == {"kept@example.com", "lost@example.com"}

    assert runner.invoke(args=["restore", str(backup), "--yes"]).exit_code == 0
    make_user(email="new@example.com")
    assert learners() == {"kept@example.com", "new@example.com"}


def test_restore_asks_first(runner, tmp_path):
    make_user(email="kept@example.com")
    backup = tmp_path / "site.backup"
    assert runner.invoke(args=["backup", str(backup)]).exit_code == 0
    make_user(email="later@example.com")

    result = runner.invoke(args=["restore", str(backup)], input="n\n")
    assert result.exit_code == 1
    assert "Everything written since that backup is lost" in result.output
    result = runner.invoke(args=["report", "readiness", "--format", "json"])
    assert {r["email"] for r in json.loads(result.output)} == {"kept@example.com",
                                                                "later@example.com"}


def test_backup_does_not_overwrite_a_file_unless_forced(runner, tmp_path):
    backup = tmp_path / "site.backup"
    backup.write_text("an older backup")
    refused = runner.invoke(args=["backup", str(backup)])
    assert refused.exit_code == 1
    assert refused.stderr.strip() == f"Error: {backup} already exists; use --force to " \
                                     "overwrite it."
    assert backup.read_text() == "an older backup"
    forced = runner.invoke(args=["backup", str(backup), "--force"])
    assert forced.exit_code == 0, forced.output
    assert backup.read_bytes() != b"an older backup"


def test_restore_refuses_a_file_that_is_no_backup(runner, tmp_path):
    make_user(email="kept@example.com")
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a backup at all")
    result = runner.invoke(args=["restore", str(bogus), "--yes"])
    assert result.exit_code == 1
    assert "is not" in result.stderr and "Traceback" not in result.output
    assert db.session.scalar(select(db.func.count()).select_from(Sale)) == 0
    assert runner.invoke(args=["sales", "imports"]).exit_code == 0  # the database is intact


@pytest.mark.skipif(bool(PG_URL), reason="SQLite's online backup (pg_dump is a snapshot)")
def test_sqlite_backup_is_one_moment_while_writers_run(tmp_path):
    live = tmp_path / "live.sqlite3"
    with sqlite3.connect(live) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE ballast (data BLOB)")
        conn.executemany("INSERT INTO ballast VALUES (randomblob(4096))", [()] * 6000)
        conn.execute("CREATE TABLE ledger (batch INTEGER, n INTEGER)")
    conn.close()
    stop = threading.Event()
    commits: list[float] = []

    def writer() -> None:
        # Each transaction writes BATCH rows: a consistent copy holds whole batches only.
        conn = sqlite3.connect(live, timeout=15)
        batch = 0
        while not stop.is_set():
            batch += 1
            with conn:
                conn.executemany("INSERT INTO ledger VALUES (?, ?)",
                                 [(batch, n) for n in range(BATCH)])
            commits.append(time.monotonic())
        conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    target = tmp_path / "copy.sqlite3"
    overlapped = 0
    try:
        while not commits:
            time.sleep(0.01)
        for _ in range(5):
            start = time.monotonic()
            backup_database(make_url(f"sqlite:///{live}"), target, force=True)
            end = time.monotonic()
            overlapped += any(start < c < end for c in list(commits))
            with sqlite3.connect(target) as copy:
                assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
                assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
                torn = copy.execute("SELECT batch, count(*) FROM ledger GROUP BY batch "
                                    "HAVING count(*) <> ?", (BATCH,)).fetchall()
                assert torn == []
                assert copy.execute("SELECT count(*) FROM ballast").fetchone() == (6000,)
            copy.close()
    finally:
        stop.set()
        thread.join()
    assert overlapped, "no write happened during a backup"
    assert not Path(f"{target}-wal").exists()
