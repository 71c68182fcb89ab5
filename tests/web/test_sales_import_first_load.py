"""The first import into an empty sales table on PostgreSQL, which sets the table's indexes
aside for its COPY and builds them again before it commits (lms.sales.store.defer_indexes):
whatever happens, the table keeps every index and constraint, and other sessions wait rather
than see it without them."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from lms.extensions import db
from lms.models import Sale, SalesImport
from lms.sales.importer import import_sales
from tests.web.test_sales_import import good_row, rows

pytestmark = pytest.mark.usefixtures("postgres_only")
DEFINITIONS = text(
    "SELECT 'index', indexdef FROM pg_indexes WHERE tablename = 'sales' UNION ALL "
    "SELECT 'constraint ' || conname, pg_get_constraintdef(oid) FROM pg_constraint "
    "WHERE conrelid = 'sales'::regclass OR confrelid = 'sales_imports'::regclass "
    "ORDER BY 1, 2")


@pytest.fixture
def postgres_only(app) -> None:  # noqa: ANN001
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the first import sets indexes aside on PostgreSQL only")


def definitions() -> list[tuple[str, str]]:
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(DEFINITIONS)]


def deals(count: int) -> bytes:
    return rows(*(good_row(f"D{i}") for i in range(count)))


def test_a_first_import_keeps_every_index_and_constraint():
    before = definitions()
    assert len([d for d in before if d[0] == "index"]) >= 9
    report = import_sales(deals(50))
    db.session.commit()
    assert report.ok and report.added == 50
    assert definitions() == before
    assert db.session.scalar(select(func.count()).select_from(Sale)) == 50


@pytest.mark.parametrize("last", [
    good_row("D99", amount="x").encode(),  # found by the check, half way through the COPY
    good_row("D3").encode(),  # a duplicate, found after the COPY
])
def test_a_first_import_that_fails_half_way_leaves_the_table_as_it_was(monkeypatch, last):
    monkeypatch.setattr("lms.sales.importer.BATCH", 10)
    before = definitions()
    report = import_sales(deals(60) + last + b"\n")
    db.session.commit()
    assert not report.ok
    assert definitions() == before
    assert db.session.scalar(select(func.count()).select_from(Sale)) == 0
    assert db.session.scalar(select(func.count()).select_from(SalesImport)) == 0


def test_readers_wait_for_the_first_import_and_then_see_all_of_it():
    report = import_sales(deals(40))  # done, not committed: the table is locked until then
    assert report.ok
    with db.engine.connect() as other:
        other.execute(text("SET lock_timeout = '100ms'"))
        with pytest.raises(OperationalError, match="lock timeout"):
            other.execute(text("SELECT count(*) FROM sales"))
    seen: list[object] = []
    engine = db.engine

    def read() -> None:
        with engine.connect() as reader:
            seen.append(reader.scalar(text("SELECT count(*) FROM sales WHERE crm_id > ''")))
            seen.append(reader.scalar(text(
                "SELECT count(*) FROM pg_indexes WHERE tablename = 'sales'")))

    waiting = threading.Thread(target=read)
    waiting.start()
    waiting.join(0.5)
    assert waiting.is_alive() and not seen  # it waits for the import, it reads no half table
    db.session.commit()
    waiting.join(10)
    assert seen[0] == 40 and seen[1] >= 9


def test_a_first_import_does_not_wait_for_a_long_reader():
    """A session reading the (empty) table holds it: the import gives way after a moment and
    writes with the indexes in place instead of queueing every reader behind it."""
    before = definitions()
    db.session.execute(text("SET lock_timeout = '5s'"))  # were it to wait, not for ever
    with db.engine.connect() as reader:
        reader.execute(text("SELECT count(*) FROM sales"))  # its transaction stays open
        started = time.monotonic()
        report = import_sales(deals(30))
        db.session.commit()
        waited = time.monotonic() - started
        reader.rollback()
    assert report.ok and report.added == 30 and waited < 3
    assert definitions() == before
    assert db.session.scalar(select(func.count()).select_from(Sale)) == 30
