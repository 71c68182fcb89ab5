"""Bench: the readiness report on 10,000 people, 200 modules and 1,000,000 attempts.

Builds a temporary SQLite database with the real migrations, fills it with bulk inserts
(executemany on the DB-API connection, no ORM objects), then times, in the same run:

  * the bare SQL aggregate over the same tables (best score per person and quiz, averaged per
    person, and completions per person): the least any report must do;
  * the readiness report for the whole organisation and for one 500-person team, with an empty
    cache (version check, assigned items, the report statement and the formula in Python);
  * a repeated view of unchanged data (the cache: one version check).

The triggers that count changes for the cache (migration 0006) fire on the bulk insert too,
as they would for any writer; they make the build slower, not the report.

Timings alternate between the bare aggregate and the report and report medians, so a busy
machine slows both alike.

Targets (issue 5): report <= 2x the bare aggregate; repeated view < 50 ms.
Run: .venv/bin/python bench/readiness.py [--people 10000] [--attempts 1000000]
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from lms import create_app  # noqa: E402
from lms.analytics.readiness import Rules  # noqa: E402
from lms.analytics.readiness_sql import readiness_report  # noqa: E402
from lms.analytics.report_cache import data_version, forget_learning_data  # noqa: E402
from lms.extensions import db  # noqa: E402
from lms.security import Scope  # noqa: E402

MODULES = 200
PATHS = 10  # of 20 modules each; every person gets two paths: 40 assigned modules
TEAMS = 20
TODAY = date.today()
NOW = datetime.now(UTC).replace(tzinfo=None, microsecond=0)

BARE = """
WITH best AS (
    SELECT a.user_id, a.quiz_id, MAX(s.percent) AS best
    FROM attempts a JOIN submissions s ON s.attempt_id = a.id
    {where}
    GROUP BY a.user_id, a.quiz_id
), per_person AS (
    SELECT user_id, COUNT(*) AS quizzes, AVG(best) AS average_best FROM best GROUP BY user_id
), done AS (
    SELECT mp.user_id, COUNT(mp.completed_at) AS completed FROM module_progress mp
    {where_mp}
    GROUP BY mp.user_id
)
SELECT u.id, per_person.quizzes, per_person.average_best, done.completed
FROM users u
LEFT JOIN per_person ON per_person.user_id = u.id
LEFT JOIN done ON done.user_id = u.id
WHERE u.role = 'learner' {where_u}
"""


def ts(value: datetime) -> str:
    return value.isoformat(sep=" ")


def build(path: Path, people: int, attempts_total: int) -> dict[str, int]:
    """Fill the migrated database at ``path``; returns the row counts."""
    rng = random.Random(2026)
    con = sqlite3.connect(path)
    con.executescript("PRAGMA synchronous=OFF; PRAGMA foreign_keys=OFF;")
    created = ts(NOW - timedelta(days=400))
    cur = con.cursor()

    cur.executemany("INSERT INTO teams (id, name, description, parent_id, active, created_at) "
                    "VALUES (?, ?, '', NULL, 1, ?)",
                    [(t, f"Team {t:02d}", created) for t in range(1, TEAMS + 1)])
    managers = [(t, f"manager{t}@bench.test", f"Manager {t}", "manager", t)
                for t in range(1, TEAMS + 1)]
    learners = [(TEAMS + i, f"rep{i}@bench.test", f"Rep {i:05d}", "learner", 1 + i % TEAMS)
                for i in range(1, people + 1)]
    cur.executemany(
        "INSERT INTO users (id, email, name, password_hash, role, active, must_change_password, "
        "hire_date, team_id, manager_id, created_at) "
        "VALUES (?, ?, ?, 'x', ?, 1, 0, '2025-01-01', ?, NULL, ?)",
        [(*row, created) for row in managers + learners])
    cur.executemany("INSERT INTO team_managers (team_id, user_id) VALUES (?, ?)",
                    [(t, t) for t in range(1, TEAMS + 1)])

    # Content: quizzes 1..200, modules 201..400 (module m ends with quiz m), paths 401..410.
    items, versions = [], []

    def item(item_id: int, kind: str, slug: str, title: str, source: str) -> None:
        items.append((item_id, kind, slug, item_id, created))
        versions.append((item_id, item_id, 1, hashlib.sha256(source.encode()).hexdigest(),
                         source, title, created))

    for q in range(1, MODULES + 1):
        item(q, "quiz", f"quiz-{q:03d}", f"Quiz {q:03d}",
             f"title: Quiz {q:03d}\nquestions: []\n")
        item(MODULES + q, "module", f"module-{q:03d}", f"Module {q:03d}",
             f"---\ntitle: Module {q:03d}\ncategory: product-knowledge\nsummary: Bench.\n"
             f"estimated_minutes: 5\nquiz: quiz-{q:03d}\n---\n# Module {q:03d}\n\nText.\n")
    per_path = MODULES // PATHS
    for p in range(PATHS):
        entries = "".join(f"  - module-{p * per_path + k + 1:03d}\n" for k in range(per_path))
        item(2 * MODULES + p + 1, "path", f"path-{p:02d}", f"Path {p:02d}",
             f"title: Path {p:02d}\nmodules:\n{entries}")
    cur.executemany("INSERT INTO content_versions (id, item_id, number, content_hash, source, "
                    "title, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", versions)
    cur.executemany("INSERT INTO content_items (id, kind, slug, current_version_id, created_at) "
                    "VALUES (?, ?, ?, ?, ?)", items)

    assignments, progress, completions, attempts, submissions = [], [], [], [], []
    per_person_attempts = attempts_total // people
    attempt_id = 0
    for i in range(1, people + 1):
        user_id = TEAMS + i
        first, second = i % PATHS, (i + PATHS // 2) % PATHS
        due_first = TODAY - timedelta(days=30) + timedelta(days=i % 60)
        assignments.append((user_id, 2 * MODULES + first + 1, due_first.isoformat(), created))
        assignments.append((user_id, 2 * MODULES + second + 1,
                            (TODAY + timedelta(days=60)).isoformat(), created))
        modules = [p * per_path + k + 1 for p in (first, second) for k in range(per_path)]
        ability = rng.random()
        done = int(len(modules) * min(1.0, ability * 1.3))
        opened = min(len(modules), done + 3)
        start = NOW - timedelta(days=300 * rng.random() + 20)
        for k, q in enumerate(modules[:opened]):
            at = start + timedelta(days=k)
            progress.append((user_id, MODULES + q, ts(at), ts(at + timedelta(hours=1)),
                             ts(at + timedelta(hours=1)) if k < done else None,
                             ts(at + timedelta(hours=2)) if k < done else None))
        # A path completed with its last module; certificates last 180 days, so some lapsed.
        for n, path in enumerate((first, second)):
            if done >= per_path * (n + 1):
                at = start + timedelta(days=per_path * (n + 1) - 1, hours=2)
                completions.append((user_id, 2 * MODULES + path + 1, 2 * MODULES + path + 1,
                                    ts(at), ts(at + timedelta(days=180))))
        for k in range(per_person_attempts):
            q = modules[k % len(modules)]
            attempt_id += 1
            number = k // len(modules) + 1
            started = start + timedelta(days=k % len(modules), hours=number)
            is_open = k == per_person_attempts - 1 and i % 10 == 0
            attempts.append((attempt_id, user_id, q, q, number, attempt_id,
                             "open" if is_open else "submitted", ts(started)))
            if not is_open:
                percent = round(min(100.0, max(0.0, rng.gauss(55 + 40 * ability, 15))), 2)
                submissions.append((attempt_id, ts(started + timedelta(minutes=12)), percent,
                                    percent, percent >= 70))
    cur.executemany("INSERT INTO assignments (user_id, item_id, due_date, assigned_at) "
                    "VALUES (?, ?, ?, ?)", assignments)
    cur.executemany("INSERT INTO module_progress (user_id, module_id, first_opened_at, "
                    "last_opened_at, read_at, completed_at) VALUES (?, ?, ?, ?, ?, ?)", progress)
    cur.executemany("INSERT INTO path_completions (user_id, path_id, path_version_id, "
                    "completed_at, expires_at) VALUES (?, ?, ?, ?, ?)", completions)
    cur.executemany("INSERT INTO attempts (id, user_id, quiz_id, quiz_version_id, number, seed, "
                    "status, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", attempts)
    cur.executemany("INSERT INTO submissions (attempt_id, submitted_at, reason, late, points, "
                    "max_points, percent, passed) VALUES (?, ?, 'submitted', 0, ?, 100, ?, ?)",
                    submissions)
    con.commit()
    con.close()
    return {"people": people, "modules": MODULES, "attempts": len(attempts),
            "submissions": len(submissions), "module_progress": len(progress),
            "path_completions": len(completions),
            "assignments": len(assignments)}


def timed(actions: dict[str, Callable[[], object]], runs: int) -> dict[str, float]:
    """Median wall time in seconds of each action, running them in turn ``runs`` times."""
    times: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(runs):
        for name, action in actions.items():
            start = time.perf_counter()
            action()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5,
                        help="runs per organisation-wide timing (median); the team gets 3x")
    args = parser.parse_args()
    logging.getLogger("alembic").setLevel(logging.WARNING)

    with tempfile.TemporaryDirectory(prefix="readiness-bench-") as tmp:
        path = Path(tmp) / "bench.sqlite3"
        app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "bench",
                          "INSTANCE_PATH": tmp, "TIMEZONE": "UTC"})
        with app.app_context():
            from flask_migrate import upgrade

            start = time.perf_counter()
            upgrade()
            db.engine.dispose()
        print(f"schema (migrations): {time.perf_counter() - start:.1f} s")

        start = time.perf_counter()
        counts = build(path, args.people, args.attempts)
        print(f"data (bulk insert): {time.perf_counter() - start:.1f} s  "
              + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        print(f"database file: {path.stat().st_size / 2**20:.0f} MB")

        with app.app_context():
            team_id = 1
            team_size = db.session.scalar(text(
                "SELECT count(*) FROM users WHERE team_id = :t AND role = 'learner'"),
                {"t": team_id})
            rules = Rules()

            def bare(where: str, where_mp: str, where_u: str) -> Callable[[], object]:
                sql = text(BARE.format(where=where, where_mp=where_mp, where_u=where_u))
                return lambda: db.session.execute(sql, {"t": team_id}).all()

            bare_org = bare("", "", "")
            in_team = "(SELECT id FROM users WHERE team_id = :t)"
            bare_team = bare(f"WHERE a.user_id IN {in_team}",
                             f"WHERE mp.user_id IN {in_team}", "AND u.team_id = :t")

            def cold(scope: Scope) -> Callable[[], object]:
                def run() -> object:
                    forget_learning_data()  # as after a new attempt: version, report
                    return readiness_report(scope, rules, TODAY)
                return run

            def warm(scope: Scope) -> Callable[[], object]:
                return lambda: readiness_report(scope, rules, TODAY)

            everyone, team = Scope(everyone=True), Scope(team_ids=frozenset({team_id}))
            bare_org()  # read the file into the page cache once, for every timing alike
            report = cold(everyone)()
            assert len(report.rows) == args.people, len(report.rows)
            assert len(cold(team)().rows) == team_size

            results = timed({"bare_org": bare_org, "report_org": cold(everyone)}, args.runs)
            results |= timed({"bare_team": bare_team, "report_team": cold(team)}, args.runs * 3)

            results |= timed({"version": data_version}, 20)
            warm(everyone)()
            results |= timed({"repeat_org": warm(everyone)}, 20)
            warm(team)()
            results |= timed({"repeat_team": warm(team)}, 20)

        s = report.summary
        print(f"\nreport: {s.people:,} people; "
              + ", ".join(f"{st.label.lower()} {n:,}" for st, n in s.by_status.items())
              + f"; average readiness {s.average_index}")
        print(f"\n{'':34}{'time':>10}{'vs bare':>10}  target")
        r = results
        rows = [
            ("bare SQL aggregate, organisation", r["bare_org"], None, ""),
            ("readiness report, organisation", r["report_org"], r["report_org"] / r["bare_org"],
             "<= 2.0x"),
            (f"bare SQL aggregate, team of {team_size}", r["bare_team"], None, ""),
            (f"readiness report, team of {team_size}", r["report_team"],
             r["report_team"] / r["bare_team"], "<= 2.0x"),
            ("repeated view, organisation", r["repeat_org"], None, "< 50 ms"),
            (f"repeated view, team of {team_size}", r["repeat_team"], None, "< 50 ms"),
            ("(the version check alone)", r["version"], None, ""),
        ]
        for label, seconds, ratio, target in rows:
            ratio_text = f"{ratio:.2f}x" if ratio is not None else ""
            print(f"{label:34}{seconds * 1000:>8.1f} ms{ratio_text:>10}  {target}")
        ok = (r["report_org"] <= 2 * r["bare_org"] and r["report_team"] <= 2 * r["bare_team"]
              and r["repeat_org"] < 0.05 and r["repeat_team"] < 0.05)
        print("\ntargets met" if ok else "\ntargets NOT met")


if __name__ == "__main__":
    main()
