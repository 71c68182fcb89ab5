"""Bench: 200 learners log in, read, start, save and submit quizzes against gunicorn with
4 workers, on SQLite and on PostgreSQL.

For each database: a fresh, migrated database with the sample content, 200 salespeople with
the onboarding path assigned, gunicorn (4 sync workers) on a free 127.0.0.1 port, and locust
(headless, as a library, in its own process) for a bounded time. Each learner logs in once with
its own account, then repeatedly opens the dashboard and a module, marks it read, starts its
quiz, saves answers in two halves, submits and reads the result, thinking 2-5 s between pages.

Afterwards the database must show exactly one graded submission per submit made, every saved
answer stored (and graded), and locust no 5xx and no failed request; the script prints
requests per second and the 50th/95th/99th percentile latencies per request type and overall,
and exits 1 if an invariant is broken.

PostgreSQL: give a database URL on the server with --pg-url or LMS_BENCH_DATABASE_URL; the
bench creates the database "<its name>_load" beside it and drops it afterwards. Without one
the PostgreSQL run is skipped.

Run: .venv/bin/python bench/load.py [--learners 200] [--run-time 120] [--pg-url URL]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.loadtest.run import Settings, login_limit_note, run_load, table  # noqa: E402
from lms import create_app  # noqa: E402
from lms.extensions import db  # noqa: E402


@contextmanager
def fresh_postgres(server_url: str) -> Iterator[str]:
    """A new database "<name>_load" on the server of ``server_url``, dropped afterwards."""
    url = make_url(server_url)
    name = f"{url.database}_load"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def load_average() -> str:
    """The machine's 1, 5 and 15 minute load: other work on it slows every figure."""
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def bench(label: str, database_url: str, settings: Settings, work_dir: Path) -> bool:
    app = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(work_dir / "setup"),
                      "SECRET_KEY": "bench-setup",
                      # Only for set-up; the accounts get a hash made with settings.hash_method.
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.engine.dispose()
    print(f"\n== {label}: {settings.learners} learners, gunicorn {settings.workers} sync "
          f"workers, {settings.run_time:g} s (ramp-up {settings.learners / settings.spawn_rate:g}"
          f" s included), think time {settings.think[0]:g}-{settings.think[1]:g} s", flush=True)
    print(login_limit_note(app))
    print(f"load average before: {load_average()}")
    outcome = run_load(app, settings, work_dir)
    print(f"load average after: {load_average()}")
    with app.app_context():
        db.engine.dispose()
    print(table(outcome.swarm))
    c = outcome.counts
    print(f"\n{c['logins']} logins, {c['saves']} saves, {c['submits']} submits made, "
          f"{c['submissions']} graded submissions stored; "
          f"statuses {outcome.swarm['statuses']} over {outcome.swarm['seconds']} s")
    if outcome.problems:
        print(f"INVARIANTS BROKEN ({len(outcome.problems)}):")
        for problem in outcome.problems[:30]:
            print(f"  {problem}")
        errors = [line for line in outcome.server_log.splitlines() if line.strip()]
        if errors:
            print("server log (last lines):\n  " + "\n  ".join(errors[-30:]))
        return False
    print("invariants hold: one graded submission per submit made, every saved answer stored "
          "and graded, no 5xx, no failed request")
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--run-time", type=float, default=120, help="seconds of load per database")
    parser.add_argument("--spawn-rate", type=float, default=5, help="learners starting per second")
    parser.add_argument("--think", type=float, nargs=2, default=(2.0, 5.0), metavar=("MIN", "MAX"),
                        help="seconds a learner spends on a page")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--pg-url", default=os.environ.get("LMS_BENCH_DATABASE_URL"),
                        help="a PostgreSQL database URL on the server to use "
                             "(default: LMS_BENCH_DATABASE_URL)")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    logging.getLogger("alembic").setLevel(logging.WARNING)
    settings = Settings(learners=args.learners, run_time=args.run_time,
                        spawn_rate=args.spawn_rate, think=tuple(args.think), workers=args.workers)
    print(f"machine: {os.cpu_count()} CPU cores, shared by the server, its database and locust")

    ok = True
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory(prefix="load-bench-") as tmp:
            path = Path(tmp) / "load.sqlite3"
            ok &= bench("SQLite (WAL)", f"sqlite:///{path}", settings, Path(tmp))
    if args.pg_url:
        with tempfile.TemporaryDirectory(prefix="load-bench-") as tmp, \
                fresh_postgres(args.pg_url) as url:
            ok &= bench("PostgreSQL", url, settings, Path(tmp))
    else:
        print("\n== PostgreSQL: skipped (give --pg-url or set LMS_BENCH_DATABASE_URL)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
