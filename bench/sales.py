"""Bench of the CRM sales import (never run as a test): ``python bench/sales.py [--rows N]``.

1. Generates an N-row export (default 1,000,000) in the generic template in a temp dir, with
   2,000 salespeople of whom half have an account (matched by email or CRM name).
2. In a child process each, so every peak memory figure is its own:
   - import: the real service, ``lms.sales.importer.import_sales``, into a freshly migrated
     SQLite database (stream-check every row, then upsert in batches with the change log);
   - bare: ``executemany`` of exactly the rows the import stored into the same, empty table
     of another fresh copy (batches of 5,000, one commit; only the inserts are timed);
   - re-import: the same file again into that database (every row compared, none written).
3. Prints rows/second and peak memory (ru_maxrss of the child) side by side.
   Targets (issue 6): import >= 40% of the bare insert's rows/s, peak < 300 MB.

The impact analysis timing is the other half of this bench: see ``bench_impact``.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
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


def _app(db_path: Path, instance: Path):  # noqa: ANN202
    from lms import create_app

    return create_app({"DATABASE_URL": f"sqlite:///{db_path}", "SECRET_KEY": "bench",
                       "INSTANCE_PATH": str(instance), "RATELIMIT_ENABLED": False})


def migrate_template(work: Path) -> Path:
    """A migrated database with the salespeople who have accounts (half of them)."""
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from lms.extensions import db
    from lms.models import User, UserAlias

    path = work / "template.sqlite3"
    app = _app(path, work / "instance")
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
    return path


# Child processes ------------------------------------------------------------------------------

def phase_bare(source_db: Path, db_path: Path) -> dict:
    """The floor: exactly the rows the import stored (person and import id included), read
    back from its database (not timed) and executemany'd (timed) into the same, empty table,
    on a connection set up as the app's (WAL, foreign keys on, synchronous=NORMAL)."""
    columns = ("crm_id, user_id, owner_email, owner_crm_id, owner_name, customer_key, "
               "customer_name, product, stage, created_on, closed_on, amount, currency, "
               "satisfaction, satisfaction_scale, complaint_on, complaint_resolved_on, "
               "follow_up_on, import_id")
    sql = f"INSERT INTO sales ({columns}) VALUES ({', '.join('?' * 19)})"
    source = sqlite3.connect(source_db)
    conn = sqlite3.connect(db_path)
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL"):
        conn.execute(f"PRAGMA {pragma}")
    conn.execute("INSERT INTO sales_imports (id, source, preset, file_hash, started_at, "
                 "rows_read, added, updated, unchanged, rejected) "
                 "SELECT id, source, preset, file_hash, started_at, 0, 0, 0, 0, 0 FROM "
                 "(SELECT 1 AS id, 'bare' AS source, 'generic' AS preset, '' AS file_hash, "
                 "'2026-01-01 00:00:00' AS started_at)")
    cursor = source.execute(f"SELECT {columns} FROM sales ORDER BY id")
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


def phase_import(db_path: Path, data: Path, instance: Path) -> dict:
    app = _app(db_path, instance)
    with app.app_context():
        from lms.extensions import db
        from lms.sales.importer import import_sales

        db.session.execute(db.text("SELECT 1"))
        baseline = peak_mb()
        started = time.perf_counter()
        report = import_sales(data, "generic")
        db.session.commit()
        seconds = time.perf_counter() - started
        assert report.ok, report.errors[:5]
        return {"rows": report.rows_read, "seconds": seconds, "peak_mb": peak_mb(),
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


def impact_database(work: Path, today: date) -> Path:
    """A migrated database with the real content, 10,000 salespeople, onboarding completions
    for 85 % of them with graded attempts on its quizzes, and 100 deals each."""
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from lms.analytics.impact_sql import load_catalogue
    from lms.content.store import sync_content
    from lms.extensions import db
    from lms.models import User

    path = work / "impact.sqlite3"
    app = _app(path, work / "instance")
    with app.app_context():
        upgrade()
        sync_content(ROOT / "content" / "modules", ROOT / "quizzes", ROOT / "content" / "paths",
                     tuple(app.config["CONTENT_CATEGORIES"]))
        db.session.execute(insert(User), [
            {"id": 100 + p, "email": f"impact{p}@example.com", "name": f"Impact Rep {p}",
             "password_hash": "!", "role": "learner"} for p in range(IMPACT_PEOPLE)])
        db.session.commit()
        catalogue = load_catalogue()
        onboarding = catalogue.path_by_slug("new-hire-onboarding")
        assert onboarding is not None, "the bench needs content/paths/new-hire-onboarding.yaml"
        modules = [catalogue.modules[m] for m in onboarding.scored_module_ids]
        versions = dict(db.session.execute(db.text(
            "SELECT id, current_version_id FROM content_items WHERE kind = 'quiz'")).all())
        db.engine.dispose()
    rng = random.Random(42)
    conn = sqlite3.connect(path)
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
    conn.executemany("INSERT INTO attempts (id, user_id, quiz_id, quiz_version_id, number, "
                     "seed, status, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", attempts)
    conn.executemany("INSERT INTO submissions (attempt_id, submitted_at, reason, late, points, "
                     "max_points, percent, passed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", submissions)
    conn.executemany("INSERT INTO path_completions (user_id, path_id, completed_at) "
                     "VALUES (?, ?, ?)", completions)
    conn.execute("INSERT INTO sales_imports (id, source, preset, file_hash, started_at, "
                 "rows_read, added, updated, unchanged, rejected) "
                 "VALUES (1, 'bench', 'generic', '', '2026-01-01 00:00:00', 0, 0, 0, 0, 0)")
    sql = ("INSERT INTO sales (crm_id, user_id, customer_key, customer_name, product, stage, "
           "created_on, closed_on, amount, currency, satisfaction, satisfaction_scale, "
           "complaint_on, complaint_resolved_on, follow_up_on, import_id) "
           "VALUES (?, ?, ?, '', 'Office B60', ?, ?, ?, ?, 'EUR', ?, ?, ?, ?, ?, 1)")
    batch = []
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
            batch.append((f"I-{number:08d}", 100 + p, f"C-{rng.randrange(50_000)}", stage,
                          created.isoformat(), closed.isoformat() if stage != "open" else None,
                          rng.randrange(50_000, 1_500_000) / 100, score,
                          5 if score else None, complaint.isoformat() if complaint else None,
                          resolved.isoformat() if resolved else None,
                          follow.isoformat() if follow else None))
            if len(batch) >= 50_000:
                conn.executemany(sql, batch)
                batch = []
    conn.executemany(sql, batch)
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()
    return path


def _best(run, times: int = 3) -> float:  # noqa: ANN001 - a callable
    best = float("inf")
    for _ in range(times):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def bench_impact(args: argparse.Namespace) -> None:
    """The impact analysis for 10,000 salespeople (a million deals) beside the bare SQL
    aggregate of the same sums over the same windows; then a repeated view of unchanged data.
    Targets (issue 6): analysis <= 2 x the bare aggregate; repeated view < 50 ms."""
    del args
    from lms.analytics import impact, training_effect
    from lms.analytics.impact_report import to_dict
    from lms.security import Scope

    work = Path(tempfile.mkdtemp(prefix="lms-bench-impact-"))
    try:
        today = date.today()
        t = time.perf_counter()
        db_path = impact_database(work, today)
        print(f"\nimpact: {IMPACT_PEOPLE:,} salespeople, {IMPACT_PEOPLE * IMPACT_DEALS:,} deals "
              f"(built in {time.perf_counter() - t:.0f} s)")
        app = _app(db_path, work / "instance")
        with app.app_context():
            params = impact.params_from(app.config, kind="path", slug="new-hire-onboarding",
                                        measure="win_rate", window_days=IMPACT_WINDOW,
                                        today=today)
            scope = Scope(everyone=True)
            result = impact.run(scope, params)  # warms the caches of the OS and SQLite
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
        conn = sqlite3.connect(db_path)
        path_id = conn.execute("SELECT id FROM content_items WHERE kind = 'path' AND "
                               "slug = 'new-hire-onboarding'").fetchone()[0]
        bind = {"path": path_id, "r": reference.isoformat(),
                "rb": (reference - timedelta(days=IMPACT_WINDOW)).isoformat(),
                "ra": (reference + timedelta(days=1)).isoformat(),
                "re": (reference + timedelta(days=IMPACT_WINDOW + 1)).isoformat(),
                "due": (today - timedelta(days=14)).isoformat()}
        rows: list = []

        def bare_run() -> None:
            rows[:] = conn.execute(BARE_IMPACT_SQL, bind).fetchall()

        bare = _best(bare_run)
        conn.close()
        print(f"{'':<44}{'seconds':>9}")
        print(f"{'bare SQL aggregate (sqlite3, ' + str(len(rows)) + ' windows)':<44}{bare:>9.3f}")
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


# The parent ---------------------------------------------------------------------------------

def child(phase: str, *paths: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--phase", phase, *map(str, paths)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--no-reimport", action="store_true",
                        help="skip timing the second import of the same file")
    parser.add_argument("--impact-only", action="store_true",
                        help="only the impact analysis half (no import)")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "bare":
        print(json.dumps(phase_bare(*map(Path, args.paths))))
        return
    if args.phase == "import":
        print(json.dumps(phase_import(*map(Path, args.paths))))
        return

    if args.impact_only:
        bench_impact(args)
        return
    work = Path(tempfile.mkdtemp(prefix="lms-bench-sales-"))
    try:
        data = work / "export.csv"
        t = time.perf_counter()
        generate(data, args.rows)
        size = data.stat().st_size / 1e6
        print(f"generated {args.rows:,} rows ({size:,.0f} MB) in {time.perf_counter() - t:.1f} s")
        template = migrate_template(work)
        bare_db, import_db = work / "bare.sqlite3", work / "import.sqlite3"
        shutil.copyfile(template, bare_db)
        shutil.copyfile(template, import_db)

        imp = child("import", import_db, data, work / "instance")
        bare = child("bare", import_db, bare_db)
        again = None if args.no_reimport else child("import", import_db, data,
                                                    work / "instance")
        bare_rate = bare["rows"] / bare["seconds"]
        rate = imp["rows"] / imp["seconds"]
        print(f"{'':<36}{'rows/s':>10}{'seconds':>9}{'peak MB':>9}")
        print(f"{'bare executemany of the same rows':<36}{bare_rate:>10,.0f}"
              f"{bare['seconds']:>9.1f}{bare['peak_mb']:>9.0f}")
        print(f"{'import_sales (read, check, upsert)':<36}{rate:>10,.0f}{imp['seconds']:>9.1f}"
              f"{imp['peak_mb']:>9.0f}")
        if again:
            print(f"{'import_sales again (all unchanged)':<36}"
                  f"{again['rows'] / again['seconds']:>10,.0f}{again['seconds']:>9.1f}"
                  f"{again['peak_mb']:>9.0f}")
        print(f"import: {imp['added']:,} added, {imp['matched']:,} matched to a person; the "
              f"process held {imp['baseline_mb']:.0f} MB before the import began")
        if again:
            print(f"re-import: {again['added']} added, {again['updated']} updated, "
                  f"{again['unchanged']:,} unchanged")
        ratio = rate / bare_rate
        print(f"import / bare = {ratio:.0%} of the rows per second (target >= 40%): "
              f"{'OK' if ratio >= 0.4 else 'MISSED'}; peak {imp['peak_mb']:.0f} MB "
              f"(target < 300 MB): {'OK' if imp['peak_mb'] < 300 else 'MISSED'}")
        bench_impact(args)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
