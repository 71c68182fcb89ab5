"""The migrations build the schema from empty, match the models, and run both ways."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from lms.extensions import db
from lms.models import Base


def test_migrated_schema_matches_the_models(app):
    # The `app` fixture's database was built by running every migration from empty.
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], diff


def test_migrations_run_down_to_empty_and_up_again(app):
    downgrade(revision="base")
    tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert tables == set()
    upgrade()
    assert {"users", "teams", "team_managers", "user_aliases"} <= set(
        inspect(db.engine).get_table_names())


def test_database_enforces_the_invariants(app):
    from sqlalchemy.exc import IntegrityError

    with db.engine.connect() as conn:
        conn.execute(text("INSERT INTO users (email, name, password_hash, role, active, "
                          "must_change_password, created_at) VALUES "
                          "('a@x.nl', 'A', 'h', 'learner', true, false, "
                          "CURRENT_TIMESTAMP)"))
        for bad in (
            # the same email twice
            "INSERT INTO users (email, name, password_hash, role, active, must_change_password,"
            " created_at) VALUES ('a@x.nl', 'B', 'h', 'learner', true, false,"
            " CURRENT_TIMESTAMP)",
            # a role that does not exist
            "INSERT INTO users (email, name, password_hash, role, active, must_change_password,"
            " created_at) VALUES ('b@x.nl', 'B', 'h', 'boss', true, false,"
            " CURRENT_TIMESTAMP)",
            # a team that does not exist
            "INSERT INTO users (email, name, password_hash, role, active, must_change_password,"
            " team_id, created_at) VALUES ('c@x.nl', 'C', 'h', 'learner', true,"
            " false, 999, CURRENT_TIMESTAMP)",
        ):
            nested = conn.begin_nested()
            try:
                conn.execute(text(bad))
            except IntegrityError:
                nested.rollback()
            else:
                raise AssertionError(f"accepted: {bad}")
        conn.rollback()
