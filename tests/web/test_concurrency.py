"""Exactly one graded attempt when submits race each other, against a real server process
(gunicorn, several workers and threads) on the test database."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.models import Attempt, Submission
from tests.conftest import PASSWORD
from tests.factories import make_user
from tests.learning_helpers import RIGHT, form_data, sync, write_practice

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn_server(app, database_url: str, instance: Path,  # noqa: ANN001
                    workers: int = 2) -> Iterator[str]:
    """The site under gunicorn in its own process, on the test database and the app's content
    folders; yields its base URL."""
    port = free_port()
    env = {**os.environ,
           "LMS_DATABASE_URL": database_url, "LMS_SECRET_KEY": "test-secret-key",
           "LMS_INSTANCE_PATH": str(instance),
           "LMS_CONTENT_DIR": app.config["CONTENT_DIR"], "LMS_QUIZ_DIR": app.config["QUIZ_DIR"],
           "LMS_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
           "LMS_LOGIN_RATE_LIMIT": "1000 per minute"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", "4", "-b",
         f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/login", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("server did not start: " + process.stdout.read().decode())
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


@pytest.fixture
def server(app, content_copy, database_url, tmp_path):  # noqa: ANN001, ANN201
    write_practice(content_copy)
    sync(content_copy)
    with gunicorn_server(app, database_url, tmp_path / "server-instance") as base:
        yield base


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        return None


class Browser:
    """A cookie-keeping HTTP client that does not follow redirects."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect())

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=20) as response:
            return response.read().decode()

    def post(self, path: str, data: dict) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        try:
            with self.opener.open(self.base + path, body, timeout=30) as response:
                return response.status, response.headers.get("Location", "")
        except urllib.error.HTTPError as exc:  # 302 without following lands here
            exc.close()
            return exc.code, exc.headers.get("Location", "")

    def token(self, path: str) -> str:
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                          r'type="hidden" name="csrf_token" value="([^"]+)"', self.get(path))
        return match.group(1) or match.group(2)


def race(n: int, action) -> list:  # noqa: ANN001
    """Run ``action`` n times at once, released together by a barrier."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        results[i] = action()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def logged_in(base: str, email: str = "racer@example.com") -> Browser:
    browser = Browser(base)
    token = browser.token("/login")
    status, _ = browser.post("/login", {"email": email, "password": PASSWORD,
                                        "csrf_token": token})
    assert status == 302
    return browser


def test_racing_starts_and_submits_give_one_attempt_and_one_grade(server):
    make_user(email="racer@example.com")
    browser = logged_in(server)
    quiz = "/learn/quizzes/practice-quiz"
    token = browser.token(quiz)

    # Two tabs (and more) press "Start" at the same moment: one attempt, all land on it.
    starts = race(6, lambda: browser.post(f"{quiz}/start", {"csrf_token": token}))
    locations = {location for status, location in starts}
    assert len(locations) == 1 and all(status == 302 for status, _ in starts), starts
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1
    attempt_id = db.session.scalar(select(Attempt.id))

    # Eight submits of that attempt at the same moment: graded exactly once.
    data = {**form_data(RIGHT), "action": "submit", "csrf_token": token}
    submits = race(8, lambda: browser.post(f"/learn/attempts/{attempt_id}/save", data))
    assert all(status == 302 and location.endswith(f"/learn/attempts/{attempt_id}/result")
               for status, location in submits), submits
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 1
    assert db.session.scalar(select(Submission.percent)) == 100
