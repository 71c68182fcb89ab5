"""Bench of the CRM sales import (never run as a test): ``python bench/sales.py [--rows N]
[--import-only] [--database postgresql+psycopg://USER@HOST:PORT/ANY]``.

1. Generates an N-row export (default 1,000,000) in the generic template in a temp dir, with
   2,000 salespeople of whom half have an account (matched by email or CRM name).
2. In a child process each, so every peak memory figure is its own:
   - import: the real service, ``lms.sales.importer.import_sales``, into a freshly migrated
     database (stream-check every row, then write in batches; every row is new; on PostgreSQL
     the checked batches stream into one COPY during the check, into the table with its
     indexes set aside, built again before the commit);
   - bare: the floor the import is measured against: exactly the rows the import stored
     (person and import id included) inserted by a plain ``executemany`` into the same
     ``sales`` table, empty, with all its indexes and constraints and no triggers (the table
     has none), in batches of 5,000, one commit, on a connection set up as the app's (SQLite:
     WAL, foreign keys on, synchronous=NORMAL); only the inserts and the commit are timed;
   - on PostgreSQL also bare COPY: the same rows with ``COPY sales FROM STDIN``, a COPY per
     batch of 5,000, one commit; and the same with the indexes set aside and built again after
     the COPY as the first import does (``lms.sales.store.defer_indexes``): the server's share
     of the import, its floor;
   - re-import: the same file again into the import's database (every row compared, none
     written).
3. Prints rows/second and peak memory (VmHWM of the child) side by side, the import's own CPU
   time (Python's share: reading, checking, sending), and the load average.
   Targets (issue 12): import >= 50% of the bare executemany's rows/s, peak < 300 MB; on
   PostgreSQL a million rows imported in < 10 s.

With ``--database`` the bench runs on that PostgreSQL server in databases of its own
(``lms_bench_<pid>_*``, created through the ``postgres`` maintenance database and dropped at
the end); the database named in the URL is never touched.

The impact analysis timing is the other half of this bench: see ``bench_impact``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COLUMNS = ["crm_id", "owner_email", "owner_name", "customer_id", "customer_name", "product",
           "stage", "created_on", "closed_on", "amount", "currency", "satisfaction",
           "satisfaction_scale", "complaint_on", "complaint_resolved_on", "follow_up_on"]
PEOPLE = 2000
PRODUCTS = ["Starter", "Pro licence", "Enterprise", "Support plan", "Training day"]


def peak_mb() -> float:
    """This process's peak resident memory. VmHWM, because ru_maxrss of a child started by
    fork+exec may still count the parent's pages."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def generate(path: Path, rows: int, seed: int = 6) -> None:
    rng = random.Random(seed)
    start = date(2024, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        for i in range(rows):
            person = rng.randrange(PEOPLE)
            created = start + timedelta(days=rng.randrange(700))
            stage = rng.choices(("won", "lost", "open"), (5, 3, 2))[0]
            closed = created + timedelta(days=rng.randrange(5, 120)) if stage != "open" else None
            won = stage == "won"
            score = rng.randint(1, 5) if won and rng.random() < 0.6 else None
            complaint = closed + timedelta(days=rng.randrange(1, 30)) \
                if won and rng.random() < 0.1 else None
            resolved = complaint + timedelta(days=rng.randrange(0, 20)) \
                if complaint and rng.random() < 0.8 else None
            follow = closed + timedelta(days=rng.randrange(1, 40)) \
                if won and rng.random() < 0.7 else None
            customer = rng.randrange(20000)
            writer.writerow([
                f"OPP-{i:08d}", f"rep{person}@example.com" if person % 3 else "",
                f"Rep Number {person}", f"ACC-{customer}", f"Customer {customer} BV",
                rng.choice(PRODUCTS), stage, created.isoformat(),
                closed.isoformat() if closed else "",
                f"{rng.randrange(100, 5_000_000) / 100:.2f}" if stage != "lost" else "0.00",
                "EUR", score or "", 5 if score else "",
                complaint.isoformat() if complaint else "",
                resolved.isoformat() if resolved else "",
                follow.isoformat() if follow else "",
            ])


def _url(database: str | Path) -> str:
    """A SQLAlchemy URL: PostgreSQL URLs as they are, anything else a SQLite file."""
    database = str(database)
    return database if database.startswith("postgresql") else f"sqlite:///{database}"


def _app(database: str | Path, instance: Path):  # noqa: ANN202
    from lms import create_app

    return create_app({"DATABASE_URL": _url(database), "SECRET_KEY": "bench",
                       "INSTANCE_PATH": str(instance), "RATELIMIT_ENABLED": False})


class PgServer:
    """Databases of the bench's own on the server of ``url``: created through the ``postgres``
    maintenance database, dropped by ``drop_all``."""

    def __init__(self, url: str) -> None:
        from sqlalchemy.engine import make_url

        self.url = make_url(url)
        self.prefix = f"lms_bench_{os.getpid()}"
        self.created: list[str] = []

    def dsn(self, name: str) -> str:
        """A libpq URL for psycopg."""
        return self.url.set(drivername="postgresql", database=name).render_as_string(
            hide_password=False)

    def sa_url(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def create(self, suffix: str, template: str | None = None) -> str:
        import psycopg
        from psycopg import sql

        name = f"{self.prefix}_{suffix}"
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            query += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute(query)
        self.created.append(name)
        return name

    def drop_all(self) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            for name in reversed(self.created):
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(name)))
        self.created.clear()


def migrate_template(database: str | Path, instance: Path) -> None:
    """A migrated database with the salespeople who have accounts (half of them)."""
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from lms.extensions import db
    from lms.models import User, UserAlias

    app = _app(database, instance)
    with app.app_context():
        upgrade()
        people = range(0, PEOPLE, 2)
        db.session.execute(insert(User), [
            {"id": p + 1, "email": f"rep{p}@example.com", "name": f"Rep Number {p}",
             "password_hash": "!", "role": "learner"} for p in people])
        db.session.execute(insert(UserAlias), [
            {"user_id": p + 1, "kind": "crm_name", "value": f"Rep Number {p}",
             "value_key": f"rep number {p}"} for p in people])
        db.session.commit()
        db.engine.dispose()


# Child processes ------------------------------------------------------------------------------

SALES_COLUMNS = ("crm_id, user_id, owner_email, owner_crm_id, owner_name, customer_key, "
                 "customer_name, product, stage, created_on, closed_on, amount, currency, "
                 "satisfaction, satisfaction_scale, complaint_on, complaint_resolved_on, "
                 "follow_up_on, import_id")
BARE_IMPORT_ROW = ("INSERT INTO sales_imports (id, source, preset, file_hash, started_at, "
                   "rows_read, added, updated, unchanged, rejected) "
                   "VALUES (1, 'bare', 'generic', '', '2026-01-01 00:00:00', 0, 0, 0, 0, 0)")


def phase_bare(source_db: Path, db_path: Path) -> dict:
    """The floor (see the module docstring): the import's rows read back from its database
    (not timed) and executemany'd (timed) in batches of 5,000 into the same, empty table, on a
    connection set up as the app's (WAL, foreign keys on, synchronous=NORMAL)."""
    sql = f"INSERT INTO sales ({SALES_COLUMNS}) VALUES ({', '.join('?' * 19)})"
    source = sqlite3.connect(source_db)
    conn = sqlite3.connect(db_path)
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL"):
        conn.execute(f"PRAGMA {pragma}")
    conn.execute(BARE_IMPORT_ROW)
    cursor = source.execute(f"SELECT {SALES_COLUMNS} FROM sales ORDER BY id")
    seconds = 0.0
    rows = 0
    while batch := cursor.fetchmany(5000):
        started = time.perf_counter()
        conn.executemany(sql, batch)
        seconds += time.perf_counter() - started
        rows += len(batch)
    started = time.perf_counter()
    conn.commit()
    seconds += time.perf_counter() - started
    conn.close()
    source.close()
    return {"rows": rows, "seconds": seconds, "peak_mb": peak_mb()}


def phase_bare_pg(source_dsn: str, dsn: str, how: str) -> dict:
    """The floor on PostgreSQL: the import's rows read back (not timed) and written (timed) in
    batches of 5,000 into the same, empty table, one commit: ``executemany`` of INSERTs (psycopg
    pipelines them) or, with ``how`` "copy", a ``COPY ... FROM STDIN`` per batch; "copy-deferred"
    is that COPY with the indexes set aside before and built after, as the first import does."""
    import psycopg

    from lms.sales.store import defer_indexes, rebuild_indexes

    insert = f"INSERT INTO sales ({SALES_COLUMNS}) VALUES ({', '.join(['%s'] * 19)})"
    copy_sql = f"COPY sales ({SALES_COLUMNS}) FROM STDIN"
    seconds = 0.0
    rows = 0
    with psycopg.connect(source_dsn) as source, psycopg.connect(dsn) as conn:
        conn.execute(BARE_IMPORT_ROW)
        read = source.cursor(name="bare")  # server side: the rows stream, memory stays flat
        read.execute(f"SELECT {SALES_COLUMNS} FROM sales ORDER BY id")
        write = conn.cursor()
        started = time.perf_counter()
        deferred = defer_indexes(write) if how == "copy-deferred" else []
        seconds += time.perf_counter() - started
        while batch := read.fetchmany(5000):
            started = time.perf_counter()
            if how.startswith("copy"):
                with write.copy(copy_sql) as copy:
                    for row in batch:
                        copy.write_row(row)
            else:
                write.executemany(insert, batch)
            seconds += time.perf_counter() - started
            rows += len(batch)
        started = time.perf_counter()
        rebuild_indexes(write, deferred)
        conn.commit()
        seconds += time.perf_counter() - started
    return {"rows": rows, "seconds": seconds, "peak_mb": peak_mb()}


def phase_import(database: str, data: Path, instance: Path) -> dict:
    app = _app(database, instance)
    with app.app_context():
        from lms.extensions import db
        from lms.sales.importer import import_sales

        db.session.execute(db.text("SELECT 1"))
        baseline = peak_mb()
        checked: list[float] = []

        def progress(phase: str, done: int, total: int) -> None:
            if phase == "checking" and done >= total and not checked:
                checked.append(time.perf_counter())  # the check pass is over: writing begins

        started, cpu = time.perf_counter(), time.process_time()
        report = import_sales(data, "generic", progress=progress)
        db.session.commit()
        seconds = time.perf_counter() - started
        assert report.ok, report.errors[:5]
        return {"rows": report.rows_read, "seconds": seconds,
                "cpu_seconds": time.process_time() - cpu,
                "check_seconds": checked[0] - started if checked else None, "peak_mb": peak_mb(),
                "baseline_mb": baseline, "added": report.added, "updated": report.updated,
                "unchanged": report.unchanged, "matched": report.matched_rows}


# The impact analysis ---------------------------------------------------------------------------
# (lms/analytics/impact.py; written by the impact engineer, separate from the import above)

IMPACT_PEOPLE = 10_000
IMPACT_DEALS = 100  # per salesperson: a million deals in all
IMPACT_WINDOW = 90

#: The same sums as lms.analytics.measures.totals_query, over the same windows, written as one
#: plain SQL statement and run on a bare sqlite3 connection: the floor for the analysis.
BARE_IMPACT_SQL = """
WITH t AS (SELECT user_id, date(completed_at) AS day FROM path_completions WHERE path_id = :path),
untrained AS (SELECT u.id AS user_id FROM users u LEFT JOIN t ON t.user_id = u.id
              WHERE t.user_id IS NULL AND u.role = 'learner'),
w AS (SELECT user_id, 'before' AS period, date(day, '-90 days') AS s, day AS e FROM t
      UNION ALL SELECT user_id, 'after', date(day, '+1 days'), date(day, '+91 days') FROM t
      UNION ALL SELECT user_id, 'ref_before', :rb, :r FROM untrained
      UNION ALL SELECT user_id, 'ref_after', :ra, :re FROM untrained)
SELECT w.user_id, w.period,
  count(CASE WHEN s.stage = 'won' THEN 1 END), count(CASE WHEN s.stage = 'lost' THEN 1 END),
  sum(CASE WHEN s.stage = 'won' THEN s.amount END),
  sum(CASE WHEN s.stage = 'won' AND s.created_on IS NOT NULL
      THEN julianday(s.closed_on) - julianday(s.created_on) END),
  count(CASE WHEN s.stage = 'won' AND s.created_on IS NOT NULL THEN 1 END),
  sum(CASE WHEN s.stage = 'won' AND s.satisfaction_scale = 5 THEN (s.satisfaction - 1) / 4.0
           WHEN s.stage = 'won' AND s.satisfaction_scale = 10 THEN s.satisfaction / 10.0 END),
  count(CASE WHEN s.stage = 'won' AND s.satisfaction IS NOT NULL
             AND s.satisfaction_scale IN (5, 10) THEN 1 END),
  count(CASE WHEN s.stage = 'won' AND EXISTS (SELECT 1 FROM sales e WHERE
             e.customer_key = s.customer_key AND e.stage = 'won' AND e.closed_on < s.closed_on)
        THEN 1 END),
  count(CASE WHEN s.stage = 'won' AND s.complaint_on IS NOT NULL THEN 1 END),
  count(CASE WHEN s.stage = 'won' AND s.closed_on <= :due AND s.follow_up_on IS NOT NULL
             AND julianday(s.follow_up_on) - julianday(s.closed_on) BETWEEN 0 AND 14
        THEN 1 END),
  count(CASE WHEN s.stage = 'won' AND s.closed_on <= :due THEN 1 END),
  group_concat(CASE WHEN s.stage = 'won' AND s.complaint_resolved_on >= s.complaint_on
      THEN CAST(julianday(s.complaint_resolved_on) - julianday(s.complaint_on) AS INTEGER) END)
FROM w JOIN sales s ON s.user_id = w.user_id AND s.closed_on >= w.s AND s.closed_on < w.e
GROUP BY w.user_id, w.period
"""


#: The same statement for PostgreSQL: date arithmetic in days, string_agg for group_concat.
BARE_IMPACT_SQL_PG = """
WITH t AS (SELECT user_id, CAST(completed_at AS date) AS day FROM path_completions
           WHERE path_id = %(path)s),
untrained AS (SELECT u.id AS user_id FROM users u LEFT JOIN t ON t.user_id = u.id
              WHERE t.user_id IS NULL AND u.role = 'learner'),
w AS (SELECT user_id, 'before' AS period, day - 90 AS s, day AS e FROM t
      UNION ALL SELECT user_id, 'after', day + 1, day + 91 FROM t
      UNION ALL SELECT user_id, 'ref_before', %(rb)s, %(r)s FROM untrained
      UNION ALL SELECT user_id, 'ref_after', %(ra)s, %(re)s FROM untrained)
SELECT w.user_id, w.period,
  count(CASE WHEN s.stage = 'won' THEN 1 END), count(CASE WHEN s.stage = 'lost' THEN 1 END),
  sum(CASE WHEN s.stage = 'won' THEN s.amount END),
  sum(CASE WHEN s.stage = 'won' AND s.created_on IS NOT NULL
      THEN s.closed_on - s.created_on END),
  count(CASE WHEN s.stage = 'won' AND s.created_on IS NOT NULL THEN 1 END),
  sum(CASE WHEN s.stage = 'won' AND s.satisfaction_scale = 5 THEN (s.satisfaction - 1) / 4.0
           WHEN s.stage = 'won' AND s.satisfaction_scale = 10 THEN s.satisfaction / 10.0 END),
  count(CASE WHEN s.stage = 'won' AND s.satisfaction IS NOT NULL
             AND s.satisfaction_scale IN (5, 10) THEN 1 END),
  count(CASE WHEN s.stage = 'won' AND EXISTS (SELECT 1 FROM sales e WHERE
             e.customer_key = s.customer_key AND e.stage = 'won' AND e.closed_on < s.closed_on)
        THEN 1 END),
  count(CASE WHEN s.stage = 'won' AND s.complaint_on IS NOT NULL THEN 1 END),
  count(CASE WHEN s.stage = 'won' AND s.closed_on <= %(due)s AND s.follow_up_on IS NOT NULL
             AND s.follow_up_on - s.closed_on BETWEEN 0 AND 14
        THEN 1 END),
  count(CASE WHEN s.stage = 'won' AND s.closed_on <= %(due)s THEN 1 END),
  string_agg(CASE WHEN s.stage = 'won' AND s.complaint_resolved_on >= s.complaint_on
      THEN CAST(s.complaint_resolved_on - s.complaint_on AS text) END, ',')
FROM w JOIN sales s ON s.user_id = w.user_id AND s.closed_on >= w.s AND s.closed_on < w.e
GROUP BY w.user_id, w.period
"""

IMPACT_SALES = ("crm_id, user_id, customer_key, customer_name, product, stage, created_on, "
                "closed_on, amount, currency, satisfaction, satisfaction_scale, complaint_on, "
                "complaint_resolved_on, follow_up_on, import_id")
IMPACT_TABLES = {
    "attempts": "id, user_id, quiz_id, quiz_version_id, number, seed, status, started_at",
    "submissions": "attempt_id, submitted_at, reason, late, points, max_points, percent, passed",
    "path_completions": "user_id, path_id, completed_at",
    "sales_imports": "id, source, preset, file_hash, started_at, rows_read, added, updated, "
                     "unchanged, rejected",
}


def impact_database(database: str | Path, instance: Path, today: date) -> None:
    """Migrate ``database`` and fill it with the real content, 10,000 salespeople, onboarding
    completions for 85 % of them with graded attempts on its quizzes, and 100 deals each:
    bulk-loaded with executemany on SQLite, with COPY on PostgreSQL."""
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from lms.analytics.impact_sql import load_catalogue
    from lms.content.store import sync_content
    from lms.extensions import db
    from lms.models import User

    postgres = str(database).startswith("postgresql")
    app = _app(database, instance)
    with app.app_context():
        upgrade()
        sync_content(ROOT / "content" / "modules", ROOT / "quizzes", ROOT / "content" / "paths",
                     tuple(app.config["CONTENT_CATEGORIES"]))
        if postgres:
            _counters(lambda sql: db.session.execute(db.text(sql)), ("users",), on=False)
        db.session.execute(insert(User), [
            {"id": 100 + p, "email": f"impact{p}@example.com", "name": f"Impact Rep {p}",
             "password_hash": "!", "role": "learner"} for p in range(IMPACT_PEOPLE)])
        if postgres:
            _counters(lambda sql: db.session.execute(db.text(sql)), ("users",), on=True)
        db.session.commit()
        catalogue = load_catalogue()
        onboarding = catalogue.path_by_slug("new-hire-onboarding")
        assert onboarding is not None, "the bench needs content/paths/new-hire-onboarding.yaml"
        modules = [catalogue.modules[m] for m in onboarding.scored_module_ids]
        versions = dict(db.session.execute(db.text(
            "SELECT id, current_version_id FROM content_items WHERE kind = 'quiz'")).all())
        db.engine.dispose()
    rng = random.Random(42)
    completions, attempts, submissions = [], [], []
    attempt_id = 0
    for p in range(IMPACT_PEOPLE):
        user = 100 + p
        skill = rng.gauss(0, 1)
        trained = rng.random() < 0.85
        day = today - timedelta(days=rng.randrange(20, 700))
        for module in modules:
            tries = 1 if rng.random() < 0.6 else 2
            for number in range(1, tries + 1):
                attempt_id += 1
                percent = max(0.0, min(100.0, round(70 + 10 * skill + 12 * (number - 1)
                                                    + rng.gauss(0, 8), 2)))
                at = f"{day - timedelta(days=10 - number)} 10:00:00"
                attempts.append((attempt_id, user, module.quiz_id, versions[module.quiz_id],
                                 number, 1, "submitted", at))
                submissions.append((attempt_id, at, "submitted", 0, percent, 100.0, percent,
                                    int(percent >= 70)))
        if trained:
            completions.append((user, onboarding.id, f"{day} 12:00:00"))
    tables = {"attempts": attempts, "submissions": submissions, "path_completions": completions,
              "sales_imports": [(1, "bench", "generic", "", "2026-01-01 00:00:00", 0, 0, 0, 0,
                                 0)]}
    if postgres:
        _load_postgres(database, tables, _impact_sales(rng, today))
        return
    conn = sqlite3.connect(database)
    for table, columns in IMPACT_TABLES.items():
        marks = ", ".join("?" * len(columns.split(",")))
        conn.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", tables[table])
    sql = f"INSERT INTO sales ({IMPACT_SALES}) VALUES ({', '.join('?' * 16)})"
    batch = []
    for row in _impact_sales(rng, today):
        batch.append(row)
        if len(batch) >= 50_000:
            conn.executemany(sql, batch)
            batch = []
    conn.executemany(sql, batch)
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()


def _counters(execute, tables: tuple[str, ...], *, on: bool) -> None:  # noqa: ANN001
    """PostgreSQL's change counters are per-row triggers deferred to the commit (migration
    0006): a bulk load of 100,000 rows would bump one counter row 100,000 times there, each a
    new version of it, for minutes. Off during the load (in its transaction), then one bump."""
    for table in tables:
        execute(f"ALTER TABLE {table} {'ENABLE' if on else 'DISABLE'} TRIGGER USER")
    if on:
        execute("UPDATE change_counters SET number = number + 1")


def _impact_sales(rng: random.Random, today: date) -> Iterator[tuple]:
    number = 0
    for p in range(IMPACT_PEOPLE):
        for _ in range(IMPACT_DEALS):
            number += 1
            created = today - timedelta(days=rng.randrange(10, 760))
            closed = created + timedelta(days=rng.randrange(3, 60))
            stage = "open" if closed >= today else ("won" if rng.random() < 0.4 else "lost")
            won = stage == "won"
            complaint = closed + timedelta(days=rng.randrange(2, 40)) \
                if won and rng.random() < 0.12 else None
            resolved = complaint + timedelta(days=rng.randrange(0, 20)) \
                if complaint and rng.random() < 0.85 else None
            follow = closed + timedelta(days=rng.randrange(0, 30)) \
                if won and rng.random() < 0.6 else None
            score = rng.randint(1, 5) if won and rng.random() < 0.7 else None
            yield (f"I-{number:08d}", 100 + p, f"C-{rng.randrange(50_000)}", "", "Office B60",
                   stage, created.isoformat(), closed.isoformat() if stage != "open" else None,
                   rng.randrange(50_000, 1_500_000) / 100, "EUR", score, 5 if score else None,
                   complaint.isoformat() if complaint else None,
                   resolved.isoformat() if resolved else None,
                   follow.isoformat() if follow else None, 1)


def _load_postgres(url: str, tables: dict[str, list[tuple]], sales: Iterator[tuple]) -> None:
    """COPY every table in, then VACUUM ANALYZE (statistics and the visibility map, as a
    database some days old has them)."""
    import psycopg
    from sqlalchemy.engine import make_url

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as conn:
        cursor = conn.cursor()
        counted = ("attempts", "submissions", "path_completions")
        _counters(cursor.execute, counted, on=False)
        for table, columns in IMPACT_TABLES.items():
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in tables[table]:
                    copy.write_row(row)
        with cursor.copy(f"COPY sales ({IMPACT_SALES}) FROM STDIN") as copy:
            for row in sales:
                copy.write_row(row)
        _counters(cursor.execute, counted, on=True)
        # The rows came with their ids: move the sequences past them.
        for table in ("users", "attempts", "sales_imports"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"(SELECT max(id) FROM {table}))")
        conn.commit()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def _best(run, times: int = 3) -> float:  # noqa: ANN001 - a callable
    best = float("inf")
    for _ in range(times):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def _bare_impact(database: str | Path, reference: date, today: date) -> tuple[float, int]:
    """(best seconds of three, windows) of the bare aggregate on a bare connection."""
    bind = {"r": reference, "rb": reference - timedelta(days=IMPACT_WINDOW),
            "ra": reference + timedelta(days=1),
            "re": reference + timedelta(days=IMPACT_WINDOW + 1), "due": today - timedelta(days=14)}
    path_sql = "SELECT id FROM content_items WHERE kind = 'path' AND slug = 'new-hire-onboarding'"
    rows: list = []
    if str(database).startswith("postgresql"):
        import psycopg
        from sqlalchemy.engine import make_url

        dsn = make_url(str(database)).set(drivername="postgresql").render_as_string(
            hide_password=False)
        with psycopg.connect(dsn) as conn:
            bind["path"] = conn.execute(path_sql).fetchone()[0]

            def bare_pg() -> None:
                rows[:] = conn.execute(BARE_IMPACT_SQL_PG, bind).fetchall()

            return _best(bare_pg), len(rows)
    conn = sqlite3.connect(database)
    bind = {k: v.isoformat() for k, v in bind.items()}
    bind["path"] = conn.execute(path_sql).fetchone()[0]

    def bare_run() -> None:
        rows[:] = conn.execute(BARE_IMPACT_SQL, bind).fetchall()

    seconds = _best(bare_run)
    conn.close()
    return seconds, len(rows)


def bench_impact(server: PgServer | None) -> None:
    """The impact analysis for 10,000 salespeople (a million deals) beside the bare SQL
    aggregate of the same sums over the same windows; then a repeated view of unchanged data.
    Targets (issue 6, and issue 12 on PostgreSQL): analysis <= 2 x the bare aggregate on the
    same engine; repeated view < 50 ms."""
    from lms.analytics import impact, training_effect
    from lms.analytics.impact_report import to_dict
    from lms.security import Scope

    work = Path(tempfile.mkdtemp(prefix="lms-bench-impact-"))
    try:
        today = date.today()
        t = time.perf_counter()
        database: str | Path = work / "impact.sqlite3"
        if server:
            database = server.sa_url(server.create("impact"))
        impact_database(database, work / "instance", today)
        engine = "PostgreSQL" if server else "SQLite"
        print(f"\nimpact on {engine}: {IMPACT_PEOPLE:,} salespeople, "
              f"{IMPACT_PEOPLE * IMPACT_DEALS:,} deals (built in {time.perf_counter() - t:.0f} s)")
        app = _app(database, work / "instance")
        with app.app_context():
            from lms.extensions import db

            params = impact.params_from(app.config, kind="path", slug="new-hire-onboarding",
                                        measure="win_rate", window_days=IMPACT_WINDOW,
                                        today=today)
            scope = Scope(everyone=True)
            result = impact.run(scope, params)  # warms the caches of the OS and the database
            reference = result.reference_date
            assert reference is not None

            def cold() -> None:
                impact.impact_cache().clear()
                impact.run(scope, params)

            def cold_json() -> None:
                impact.impact_cache().clear()
                to_dict(impact.run(scope, params))

            analysis = _best(cold)
            with_json = _best(cold_json)
            repeated = _best(lambda: impact.run(scope, params), times=5)
            figure = result.figure

            def cold_effects() -> None:
                impact.impact_cache().clear()
                training_effect.for_params(scope, params)

            # What the training changed: the panel of 30-day periods and ten estimates.
            effects = _best(cold_effects, times=2)
            estimate = training_effect.for_params(scope, params)
            db.session.remove()
            db.engine.dispose()
        bare, windows = _bare_impact(database, reference, today)
        driver = "psycopg" if server else "sqlite3"
        print(f"{'':<44}{'seconds':>9}   load average {_load()}")
        print(f"{f'bare SQL aggregate ({driver}, {windows} windows)':<44}{bare:>9.3f}")
        print(f"{'impact analysis (the page, cold cache)':<44}{analysis:>9.3f}")
        print(f"{'... and its JSON, every measure (CLI, API)':<44}{with_json:>9.3f}")
        print(f"{'impact analysis, repeated view':<44}{repeated * 1000:>8.1f}ms")
        print(f"{'what the training changed (10 measures)':<44}{effects:>9.3f}")
        print(f"n = {figure.n} in the win-rate correlation; {result.trained_count:,} trained")
        ratio = analysis / bare
        print(f"analysis / bare = {ratio:.2f} x (target <= 2): "
              f"{'OK' if ratio <= 2 else 'MISSED'}; repeated view {repeated * 1000:.1f} ms "
              f"(target < 50 ms): {'OK' if repeated < 0.05 else 'MISSED'}")
        print(f"causal estimates ({estimate.label}) / bare = {effects / bare:.2f} x "
              "(no target; for information)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _load() -> str:
    """The load average: other work on the machine skews every figure here."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# The parent ---------------------------------------------------------------------------------

def child(phase: str, *args: str | Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--phase", phase, *map(str, args)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _line(label: str, run: dict) -> str:
    return (f"{label:<40}{run['rows'] / run['seconds']:>10,.0f}{run['seconds']:>9.1f}"
            f"{run['peak_mb']:>9.0f}")


def bench_import(args: argparse.Namespace, server: PgServer | None) -> None:
    work = Path(tempfile.mkdtemp(prefix="lms-bench-sales-"))
    try:
        data = work / "export.csv"
        t = time.perf_counter()
        generate(data, args.rows)
        size = data.stat().st_size / 1e6
        print(f"generated {args.rows:,} rows ({size:,.0f} MB) in {time.perf_counter() - t:.1f} s")
        instance = work / "instance"
        copied = deferred = None
        if server:
            template = server.create("template")
            migrate_template(server.sa_url(template), instance)
            import_name = server.create("import", template)
            import_db = server.sa_url(import_name)
            bare_db = server.create("bare", template)
            copy_db = server.create("copy", template)
            deferred_db = server.create("deferred", template)
            imp = child("import", import_db, data, instance)
            source = server.dsn(import_name)
            bare = child("bare-pg", source, server.dsn(bare_db), "executemany")
            copied = child("bare-pg", source, server.dsn(copy_db), "copy")
            deferred = child("bare-pg", source, server.dsn(deferred_db), "copy-deferred")
        else:
            template_db = work / "template.sqlite3"
            migrate_template(template_db, instance)
            bare_path, import_path = work / "bare.sqlite3", work / "import.sqlite3"
            shutil.copyfile(template_db, bare_path)
            shutil.copyfile(template_db, import_path)
            import_db = str(import_path)
            imp = child("import", import_db, data, instance)
            bare = child("bare", import_path, bare_path)
        again = None if args.no_reimport else child("import", import_db, data, instance)
        load = _load()
        engine = "PostgreSQL" if server else "SQLite"
        print(f"{engine}; load average {load} (1, 5, 15 min) after the runs")
        print(f"{'':<40}{'rows/s':>10}{'seconds':>9}{'peak MB':>9}")
        print(_line("bare executemany of the same rows", bare))
        if copied:
            print(_line("bare COPY of the same rows", copied))
            print(_line("bare COPY, indexes built after", deferred))
        print(_line("import_sales (read, check, write)", imp))
        if again:
            print(_line("import_sales again (all unchanged)", again))
        if imp["check_seconds"] is not None:
            print(f"import: check pass {imp['check_seconds']:.1f} s, the rest (writing, "
                  f"{'building the indexes, ' if copied else ''}commit) "
                  f"{imp['seconds'] - imp['check_seconds']:.1f} s; Python's CPU time "
                  f"{imp['cpu_seconds']:.1f} s")
        print(f"import: {imp['added']:,} added, {imp['matched']:,} matched to a person; the "
              f"process held {imp['baseline_mb']:.0f} MB before the import began")
        if again:
            print(f"re-import: {again['added']} added, {again['updated']} updated, "
                  f"{again['unchanged']:,} unchanged")
        ratio = bare["seconds"] / imp["seconds"]  # rows per second, import over bare
        print(f"import / bare executemany = {ratio:.0%} of the rows per second (target >= 50%): "
              f"{'OK' if ratio >= 0.5 else 'MISSED'}; peak {imp['peak_mb']:.0f} MB "
              f"(target < 300 MB): {'OK' if imp['peak_mb'] < 300 else 'MISSED'}")
        if copied:
            seconds = imp["seconds"] * 1_000_000 / imp["rows"]
            print(f"import / bare COPY = {copied['seconds'] / imp['seconds']:.0%} of the rows "
                  f"per second (no target); a million rows in {seconds:.1f} s "
                  f"(target < 10 s): {'OK' if seconds < 10 else 'MISSED'}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database", metavar="URL",
                        help="a PostgreSQL server to run on, as postgresql+psycopg://USER@HOST:"
                             "PORT/ANY (the bench makes and drops databases of its own there)")
    parser.add_argument("--no-reimport", action="store_true",
                        help="skip timing the second import of the same file")
    parser.add_argument("--impact-only", action="store_true",
                        help="only the impact analysis half (no import)")
    parser.add_argument("--import-only", action="store_true",
                        help="only the import half (no impact analysis)")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "bare":
        print(json.dumps(phase_bare(*map(Path, args.paths))))
        return
    if args.phase == "bare-pg":
        print(json.dumps(phase_bare_pg(*args.paths)))
        return
    if args.phase == "import":
        database, data, instance = args.paths
        print(json.dumps(phase_import(database, Path(data), Path(instance))))
        return

    if args.database and not args.database.startswith("postgresql"):
        parser.error("--database takes a PostgreSQL URL (SQLite is the default)")
    server = PgServer(args.database) if args.database else None
    try:
        if not args.impact_only:
            bench_import(args, server)
        if not args.import_only:
            bench_impact(server)
    finally:
        if server:
            server.drop_all()


if __name__ == "__main__":
    main()
