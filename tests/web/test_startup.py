"""The site refuses to start, with one line, on a database that is not migrated or cannot be
reached: real gunicorn and real `lms run` processes. A ready database starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

NOT_MIGRATED = ("Verkoopklaar will not start: the database has no schema (or an old one): "
                "run `lms init`")
UNREACHABLE = ("Verkoopklaar will not start: cannot reach the database "
               "postgresql+psycopg://postgres@127.0.0.1:1/lms")
LMS = [sys.executable, "-c", "from lms.cli import main; main()"]


def _gunicorn() -> list[str]:
    from gunicorn.config import KNOWN_SETTINGS

    command = [sys.executable, "-m", "gunicorn", "--chdir", str(REPO), "-b", "127.0.0.1:0"]
    # Newer gunicorns open a control socket in the home folder; parallel runs would share it.
    if any(setting.name == "control_socket_disable" for setting in KNOWN_SETTINGS):
        command.append("--no-control-socket")
    return [*command, "wsgi:app"]


def run(command: list[str], database_url: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "LMS_DATABASE_URL": database_url,
           "LMS_SECRET_KEY": "test-secret-key", "LMS_INSTANCE_PATH": str(tmp_path / "instance"),
           # The lines are in the organisation's language: the English these tests read.
           "LMS_DEFAULT_LOCALE": "en"}
    return subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.fixture
def unmigrated(tmp_path: Path) -> str:
    path = tmp_path / "empty.sqlite3"
    path.touch()
    return f"sqlite:///{path}"


SERVERS = {"gunicorn": (_gunicorn(), 4), "lms run": ([*LMS, "run", "--port", "0"], 1)}


@pytest.mark.parametrize("server", SERVERS)
def test_an_unmigrated_database_stops_the_site_with_one_line(server, unmigrated, tmp_path):
    command, status = SERVERS[server]
    done = run(command, unmigrated, tmp_path)
    assert done.returncode == status, done.stderr
    ours = [line for line in done.stderr.splitlines() if "Verkoopklaar" in line]
    assert ours == [NOT_MIGRATED], done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("server", SERVERS)
def test_an_unreachable_database_stops_the_site_with_one_line(server, tmp_path):
    command, status = SERVERS[server]
    done = run(command, "postgresql+psycopg://postgres@127.0.0.1:1/lms", tmp_path)
    assert done.returncode == status, done.stderr
    ours = [line for line in done.stderr.splitlines() if "Verkoopklaar" in line]
    assert len(ours) == 1 and ours[0].startswith(UNREACHABLE), done.stderr
    assert "Traceback" not in done.stderr


def test_a_ready_database_loads_the_site(database_url, tmp_path):
    done = run([sys.executable, "-c", "import wsgi; print(wsgi.app.name)"], database_url,
               tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "lms"


def test_a_command_on_a_missing_database_prints_one_line_and_creates_nothing(tmp_path):
    missing = tmp_path / "nowhere.sqlite3"
    done = run([*LMS, "report", "readiness"], f"sqlite:///{missing}", tmp_path)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "Error: the database has no schema (or an old one): run `lms init` "
        f"(there is no database file {missing})"]
    assert done.stdout == ""
    assert not missing.exists()
