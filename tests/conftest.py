"""Fixtures: an app on a fresh database per test, clients that log in, and factories.

SQLite (default): the schema is built once by the real migrations into a template file, and each
test gets its own copy of that file. PostgreSQL (``LMS_TEST_DATABASE_URL``): the migrations run
once into that database, and every table is emptied after each test.

``LMS_TEST_TIMEZONE`` runs the suite with another organisation time zone: with one whose date
differs from UTC's at the time (``Pacific/Kiritimati`` in the UTC evening), it shows a test
that takes the server's date for the organisation's.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from lms import create_app
from lms.extensions import db


def _database_of_this_worker(url: str | None) -> str | None:
    """Under pytest-xdist each worker gets its own PostgreSQL database beside the one named
    (``lms_test_gw0`` ...), made here when missing: the tests empty their tables after each
    test, which would pull the rows from under another worker's test."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    server = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                       {"name": name}) is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


PG_URL = _database_of_this_worker(os.environ.get("LMS_TEST_DATABASE_URL"))
ORG_TIMEZONE = os.environ.get("LMS_TEST_TIMEZONE", "Europe/Amsterdam")
PASSWORD = "correct-horse-battery"


def org_today() -> date:
    """Today in the test organisation's zone, as the app sees it (lms.clock.local_today),
    for module-level constants computed before any app exists."""
    return datetime.now(ZoneInfo(ORG_TIMEZONE)).date()


def base_config(tmp_path: Path, database_url: str) -> dict:
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        # Fast hashing: the tests check the rules around passwords, not scrypt's cost.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "RATELIMIT_ENABLED": False,
        "TIMEZONE": ORG_TIMEZONE,
        # The suite reads the English interface unless a test asks for Dutch (tests/i18n).
        "DEFAULT_LOCALE": "en",
    }


def _migrate(database_url: str, tmp_path: Path) -> None:
    from flask_migrate import upgrade

    app = create_app(base_config(tmp_path, database_url))
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues() -> None:
    """The Dutch pages need the compiled catalogues; `make test` compiles them, a bare `pytest`
    gets them here (only when a .po file is newer than its .mo)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (REPO / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source:
                catalog = read_po(source, locale=po.parts[-3])
            with mo.open("wb") as target:
                write_mo(target, catalog)


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The migrated, empty database every test starts from."""
    tmp = tmp_path_factory.mktemp("template")
    if PG_URL:
        engine = create_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        _migrate(PG_URL, tmp)
        return PG_URL
    path = tmp / "template.sqlite3"
    _migrate(f"sqlite:///{path}", tmp)
    return str(path)


def empty_postgres(url: str) -> None:
    """Empty every table but Alembic's, for the next test on the shared PostgreSQL database."""
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = [r[0] for r in conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version'"))]
        if tables:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def database_url(template_database: str, tmp_path: Path) -> Iterator[str]:
    if PG_URL:
        yield PG_URL
        empty_postgres(PG_URL)
    else:
        copy = tmp_path / "test.sqlite3"
        shutil.copyfile(template_database, copy)
        yield f"sqlite:///{copy}"


class IsolatedClient(FlaskClient):
    """Runs each request in its own app context, as a real server does.

    Without this, requests would share the test's app context: its database session and ``g``
    (where Flask-Login caches the logged-in user), hiding bugs a real server would show.
    """

    def open(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        # End the test's own read transaction so it sees what the request committed.
        db.session.rollback()
        return response


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(base_config(tmp_path, database_url))
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):  # noqa: ANN201
    return app.test_cli_runner()


_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                   r'type="hidden" name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def page_token(client: FlaskClient, url: str = "/login") -> str:
    return csrf_from(client.get(url).get_data(as_text=True))


def login(client: FlaskClient, email: str, password: str = PASSWORD, remember: bool = False):
    data = {"email": email, "password": password, "csrf_token": page_token(client, "/login")}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data)


def post_form(client: FlaskClient, url: str, data: dict | None = None, *,
              token_from: str = "/account", **kwargs):  # noqa: ANN003, ANN201
    """POST with a valid CSRF token taken from a page the client can open."""
    payload = dict(data or {})
    payload["csrf_token"] = page_token(client, token_from)
    return client.post(url, data=payload, **kwargs)


REPO = Path(__file__).resolve().parent.parent


def use_content_copy(app: Flask, tmp_path: Path) -> Path:
    """Point ``app`` at a private copy of the repository's content/ and quizzes/, so a test may
    change files without touching the repository's. Returns the copy's root."""
    root = tmp_path / "project"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "quizzes", root / "quizzes")
    app.config["CONTENT_DIR"] = str(root / "content")
    app.config["QUIZ_DIR"] = str(root / "quizzes")
    return root


@pytest.fixture
def content_copy(app: Flask, tmp_path: Path) -> Path:
    """A private copy of the repository's content for tests that change files; the app reads
    it. Returns the copy's root (holding content/ and quizzes/)."""
    return use_content_copy(app, tmp_path)
