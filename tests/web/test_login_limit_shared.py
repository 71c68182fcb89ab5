"""The login limit holds for the whole site, not per worker process.

Each "worker" here is a separate Python process that builds its own app on the same database,
as gunicorn's workers do (in one process, Flask-Limiter's single Limiter would share its
storage between apps and hide the problem).
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pytest

from lms import create_app
from lms.extensions import db, limiter
from lms.ratelimit import DatabaseStorage
from tests.conftest import IsolatedClient, base_config, page_token
from tests.factories import make_user


def _worker_attempts(database_url: str, instance: str, storage: str, attempts: int) -> list[int]:
    """In a fresh process: one worker's app, and ``attempts`` wrong passwords for one account."""
    config = {**base_config(Path(instance), database_url),
              "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": storage}
    app = create_app(config)
    app.test_client_class = IsolatedClient
    client = app.test_client()
    with app.app_context():
        token = page_token(client)
        statuses = [client.post("/login", data={"email": "a@example.com", "password": "guess",
                                                "csrf_token": token}).status_code
                    for _ in range(attempts)]
        db.engine.dispose()
    return statuses


@pytest.mark.parametrize(("storage", "let_through"), [
    ("database://", 10),  # the default: one limit for the site
    ("memory://", 20),    # per process: each of the two workers lets its own 10 through
])
def test_two_workers_share_the_login_limit(app, database_url, tmp_path, storage, let_through):
    make_user(email="a@example.com")
    db.session.commit()
    statuses = []
    for worker in ("one", "two"):
        with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
            statuses += pool.submit(_worker_attempts, database_url, str(tmp_path / worker),
                                    storage, 15).result(timeout=120)
    assert len(statuses) == 30
    assert statuses.count(401) == let_through  # wrong password, answered
    assert statuses.count(429) == 30 - let_through  # refused by the limit


def test_database_storage_counts_windows_and_clears(app):
    storage = DatabaseStorage()
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.get("k") == 3 and storage.get("other") == 0
    assert storage.get_expiry("k") > storage.get_expiry("other")
    # A window that has ended starts again (an expiry in the past ends it at once).
    assert storage.incr("short", -1) == 1
    assert storage.get("short") == 0 and storage.incr("short", 60) == 1
    storage.clear("k")
    assert storage.get("k") == 0
    assert storage.check()
    storage.incr("k", 60)
    assert storage.reset() >= 1 and storage.get("k") == 0


def test_the_default_storage_is_the_database(database_url, tmp_path):
    app = create_app({**base_config(tmp_path, database_url), "RATELIMIT_ENABLED": True})
    assert isinstance(limiter.storage, DatabaseStorage)
    with app.app_context():
        db.engine.dispose()
