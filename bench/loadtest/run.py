"""One load run: learners in the database, gunicorn, the locust swarm, the checks; and the
figures as a table."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask

from .checks import check, counts
from .prepare import prepare
from .server import REPO, gunicorn

#: What the output says about the login rate limit, which stays on at its configured value.
LOGIN_LIMIT_NOTE = ("login rate limit: {limit} per client address and per account (unchanged); "
                    "each learner has its own address, sent as X-Forwarded-For with "
                    "LMS_TRUST_PROXY=true, as behind a reverse proxy")


@dataclass
class Settings:
    learners: int
    run_time: float  # seconds of load, the ramp-up included
    spawn_rate: float  # learners starting per second
    think: tuple[float, float] = (2.0, 5.0)  # seconds a learner spends on a page
    workers: int = 4
    hash_method: str = "scrypt"  # the server's password hashing, as in production


@dataclass
class Outcome:
    swarm: dict[str, Any]
    problems: list[str]
    counts: dict[str, int]
    server_log: str


def run_load(app: Flask, settings: Settings, work_dir: Path) -> Outcome:
    """Fill ``app``'s (migrated) database with learners, serve it with gunicorn, run the swarm
    against it and check the database afterwards."""
    with app.app_context():
        prepare(settings.learners, hash_method=settings.hash_method)
    env = {"LMS_DATABASE_URL": app.config["DATABASE_URL"],
           "LMS_SECRET_KEY": secrets.token_urlsafe(32),
           "LMS_INSTANCE_PATH": str(work_dir / "instance"),
           "LMS_CONTENT_DIR": app.config["CONTENT_DIR"], "LMS_QUIZ_DIR": app.config["QUIZ_DIR"],
           "LMS_TIMEZONE": app.config["TIMEZONE"],
           "LMS_PASSWORD_HASH_METHOD": settings.hash_method,
           "LMS_TRUST_PROXY": "true"}
    log = work_dir / "gunicorn.log"
    out = work_dir / "swarm.json"
    with gunicorn(env, workers=settings.workers, log=log) as base:
        command = [sys.executable, "-m", "bench.loadtest.swarm", "--host", base,
                   "--learners", str(settings.learners), "--spawn-rate", str(settings.spawn_rate),
                   "--run-time", str(settings.run_time),
                   "--think", *(str(t) for t in settings.think), "--out", str(out)]
        done = subprocess.run(command, cwd=REPO, capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(REPO)},
                              timeout=settings.run_time + 180)
    (work_dir / "swarm.log").write_text(done.stderr, encoding="utf-8")
    if done.returncode != 0 or not out.exists():
        raise RuntimeError(f"the locust swarm failed ({done.returncode}):\n{done.stderr}")
    swarm = json.loads(out.read_text(encoding="utf-8"))
    with app.app_context():
        problems = check(swarm)
        figures = counts(swarm)
    return Outcome(swarm, problems, figures, log.read_text(errors="replace"))


def login_limit_note(app: Flask) -> str:
    return LOGIN_LIMIT_NOTE.format(limit=app.config["LOGIN_RATE_LIMIT"])


def table(swarm: dict[str, Any]) -> str:
    """Requests per second and latency percentiles per request type and overall."""
    lines = [f"{'request':<16}{'count':>7}{'failed':>7}{'req/s':>8}"
             f"{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'max ms':>8}"]
    for row in [*swarm["entries"], {**swarm["total"], "name": "all requests"}]:
        lines.append(f"{row['name']:<16}{row['requests']:>7}{row['failures']:>7}"
                     f"{row['rps']:>8.1f}{row['p50']:>8}{row['p95']:>8}{row['p99']:>8}"
                     f"{round(row['max']):>8}")
    return "\n".join(lines)
