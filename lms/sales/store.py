"""Writing checked deals to the database in large batches (SQLite: DB-API ``executemany``;
PostgreSQL: ``COPY`` for the new deals, into an empty table with its indexes built after),
and undoing an import. Used by
``lms.sales.importer``; everything runs on the session's own connection, inside the caller's
transaction (the caller commits or rolls back).

What undo needs: a deal an import added carries its ``import_id`` and has no ``sale_changes``
row (one row per new deal doubled the writes); a deal it updated has an ``updated`` row with
its previous values. Imports made before this kept an ``added`` row too; undo ignores those.

A row here is a tuple in ``COLUMNS`` order with dates as ISO strings and the amount as a
string with two decimals, the form both the comparison and SQLite's binding use.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import sql
from sqlalchemy.engine import Connection

from lms.sales.matching import OwnerIndex

if TYPE_CHECKING:
    from lms.sales.actions import LocalActions

COLUMNS = ("crm_id", "user_id", "owner_email", "owner_crm_id", "owner_name", "customer_key",
           "customer_name", "product", "stage", "created_on", "closed_on", "amount", "currency",
           "satisfaction", "satisfaction_scale", "complaint_on", "complaint_resolved_on",
           "follow_up_on")
DATE_POSITIONS = tuple(COLUMNS.index(c) for c in ("created_on", "closed_on", "complaint_on",
                                                  "complaint_resolved_on", "follow_up_on"))
AMOUNT = COLUMNS.index("amount")
USER = COLUMNS.index("user_id")
FOLLOW_UP = COLUMNS.index("follow_up_on")
RESOLVED = COLUMNS.index("complaint_resolved_on")
BATCH = 5000

Row = tuple[Any, ...]


class Dialect:
    """What differs between SQLite and PostgreSQL for raw DB-API statements."""

    def __init__(self, connection: Connection) -> None:
        self.postgres = connection.dialect.name == "postgresql"
        ph = "%s" if self.postgres else "?"
        self.ph = ph
        cols = ", ".join(COLUMNS)
        self.select_existing = (
            f"SELECT {cols}, import_id FROM sales WHERE crm_id = ANY(%s)" if self.postgres
            else None)
        self.insert = (f"INSERT INTO sales ({cols}, import_id) "
                       f"VALUES ({', '.join([ph] * (len(COLUMNS) + 1))})")
        sets = ", ".join(f"{c} = {ph}" for c in (*COLUMNS[1:], "import_id"))
        self.update = f"UPDATE sales SET {sets} WHERE crm_id = {ph}"
        self.copy = f"COPY sales ({cols}, import_id) FROM STDIN"
        json_ph = f"CAST({ph} AS JSON)" if self.postgres else ph
        self.insert_change = (f"INSERT INTO sale_changes (import_id, crm_id, action, previous) "
                              f"VALUES ({ph}, {ph}, 'updated', {json_ph})")
        updated = (f"SELECT crm_id FROM sale_changes WHERE import_id = {ph} "
                   "AND action = 'updated'")
        # The deals an import added: those still carrying its id that it did not update.
        # PostgreSQL plans NOT EXISTS as a hash anti-join (NOT IN would be quadratic there);
        # SQLite builds a temporary index for NOT IN (a correlated NOT EXISTS would scan).
        self.added_where = (
            f"s.import_id = {ph} AND NOT EXISTS (SELECT 1 FROM sale_changes c WHERE "
            f"c.import_id = {ph} AND c.action = 'updated' AND c.crm_id = s.crm_id)"
            if self.postgres else f"s.import_id = {ph} AND s.crm_id NOT IN ({updated})")

    def select_for(self, count: int) -> str:
        if self.select_existing:
            return self.select_existing
        return (f"SELECT {', '.join(COLUMNS)}, import_id FROM sales "
                f"WHERE crm_id IN ({', '.join('?' * count)})")

    def keys_param(self, keys: Sequence[str]) -> Sequence[Any]:
        return [list(keys)] if self.postgres else keys

    def bind(self, row: Row) -> Row:
        """A stored-form row as this driver wants it (SQLite takes the strings as they are)."""
        if not self.postgres:
            return row
        values = list(row)
        for i in DATE_POSITIONS:
            if values[i] is not None:
                values[i] = date.fromisoformat(values[i])
        values[AMOUNT] = Decimal(values[AMOUNT])
        return tuple(values)


def stored_form(values: Sequence[Any]) -> Row:
    """A row read from the database in the form the importer compares with."""
    out = list(values)
    for i in DATE_POSITIONS:
        if out[i] is not None and not isinstance(out[i], str):
            out[i] = out[i].isoformat()
    if out[AMOUNT] is not None:
        out[AMOUNT] = f"{out[AMOUNT]:.2f}"
    satisfaction = COLUMNS.index("satisfaction")
    if out[satisfaction] is not None:
        out[satisfaction] = float(out[satisfaction])
    return tuple(out)


def _chunks(rows: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


class SalesWriter:
    """Upserts batches of rows by ``crm_id`` and records what it updated, for undo.

    With ``import_id`` None nothing is written: the counts are what an import would do.
    """

    def __init__(self, connection: Connection, import_id: int | None) -> None:
        self.connection = connection
        self.dialect = Dialect(connection)
        self.import_id = import_id
        self.cursor = connection.connection.cursor()
        self.added = self.updated = self.unchanged = 0
        # Into an empty table every deal is new (a file's deal ids are unique): no look-ups.
        # A concurrent import adding the same ids fails on the unique index instead.
        self.cursor.execute("SELECT 1 FROM sales LIMIT 1")
        self.empty = self.cursor.fetchone() is None

    def existing(self, keys: Sequence[str]) -> dict[str, tuple[Row, Any]]:
        """crm_id -> (stored-form row, import_id) of the deals already in the database."""
        found: dict[str, tuple[Row, Any]] = {}
        if self.empty:
            return found
        # SQLite allows 32766 parameters per statement; stay well below.
        for chunk in _chunks(keys, 5000):
            self.cursor.execute(self.dialect.select_for(len(chunk)),
                                self.dialect.keys_param(chunk))
            for values in self.cursor.fetchall():
                found[values[0]] = (stored_form(values[:-1]), values[-1])
        return found

    def write(self, rows: Sequence[Row]) -> None:
        existing = self.existing([r[0] for r in rows])
        if not existing:
            self.added += len(rows)
            self._insert(rows)
            return
        inserts, updates, changes = [], [], []
        bind, import_id = self.dialect.bind, self.import_id
        for row in rows:
            old = existing.get(row[0])
            if old is None:
                inserts.append(row)
            elif old[0] != row:
                updates.append((*bind(row)[1:], import_id, row[0]))
                previous = dict(zip(COLUMNS[1:], old[0][1:], strict=True))
                previous["import_id"] = old[1]
                changes.append((import_id, row[0], json.dumps(previous)))
            else:
                self.unchanged += 1
        self.added += len(inserts)
        self.updated += len(updates)
        if import_id is None:
            return
        self._insert(inserts)
        if updates:
            self.cursor.executemany(self.dialect.update, updates)
            self.cursor.executemany(self.dialect.insert_change, changes)

    def _insert(self, rows: Sequence[Row]) -> None:
        import_id = self.import_id
        if import_id is None or not rows:
            return
        if self.dialect.postgres:
            # COPY's text format takes the stored form's ISO dates and decimal strings as is.
            with self.cursor.copy(self.dialect.copy) as copy:
                for row in rows:
                    copy.write_row((*row, import_id))
        else:
            self.cursor.executemany(self.dialect.insert, [(*row, import_id) for row in rows])

    def close(self) -> None:
        self.cursor.close()


class CopyStream:
    """PostgreSQL, into an empty ``sales`` table: one ``COPY`` kept open through the check
    pass, so the server stores each batch while Python checks the next, into the table with
    its indexes set aside until ``finish`` (``defer_indexes``). The caller holds a savepoint
    and rolls back to it when the file turns out bad.
    Until ``finish`` or ``abort`` nothing else may use the connection: psycopg holds its lock
    for the COPY, and a query on the same connection would wait for it forever."""

    def __init__(self, connection: Connection, import_id: int) -> None:
        self.import_id = import_id
        self.added = 0
        self.failed: Exception | None = None
        self._errors = connection.dialect.dbapi.Error
        self.cursor = connection.connection.cursor()
        self._rebuild = defer_indexes(self.cursor)
        self._open = ExitStack()
        self._copy = self._open.enter_context(self.cursor.copy(Dialect(connection).copy))

    @staticmethod
    def possible(connection: Connection) -> bool:
        if connection.dialect.name != "postgresql":
            return False
        with connection.connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sales LIMIT 1")
            return cursor.fetchone() is None

    def write(self, rows: Sequence[Row]) -> None:
        if self.failed:
            return
        import_id = self.import_id
        try:
            for row in rows:
                self._copy.write_row((*row, import_id))
        except self._errors as exc:  # the server refused the COPY: kept for finish()
            self.failed = exc
        self.added += len(rows)

    def finish(self) -> None:
        """End the COPY; a deal id stored twice (in the file, or by a concurrent import)
        raises the driver's ``IntegrityError`` here."""
        try:
            if self.failed:
                self._open.__exit__(type(self.failed), self.failed, None)
                raise self.failed
            self._open.close()
            rebuild_indexes(self.cursor, self._rebuild)
        finally:
            self.cursor.close()

    def abort(self) -> None:
        """Cancel the COPY (the transaction is then failed until the savepoint is rolled
        back)."""
        error = RuntimeError("the file has errors: nothing is imported")
        self._open.__exit__(type(error), error, None)
        self.cursor.close()


#: How long the first import waits to have the sales tables to itself before it loads with
#: the indexes in place instead: while it waits, every reader of them queues behind it. Below
#: PostgreSQL's deadlock_timeout (1 s), so that the import, not a reader, gives way.
LOCK_WAIT = "500ms"
#: Memory for each index build of the first import (PostgreSQL's default is 64 MB).
BUILD_MEMORY = "256MB"


def defer_indexes(cursor: psycopg.Cursor) -> list[str]:
    """PostgreSQL, into an empty ``sales`` table: drop its indexes, its unique constraint and
    its foreign key to ``sales_imports`` for the COPY, and return the statements that make
    them again (``rebuild_indexes``, after the COPY, same transaction).

    Kept in place, a million new deals update nine b-trees and run two foreign-key look-ups
    each: 18 s of server time (bench/sales.py), against 2-3 s for the COPY and about 4 s to
    build everything once at the end. PostgreSQL's DDL is transactional: a bad file rolls
    the savepoint back and the tables are as they were, indexes and all, and no other session
    ever sees them without. The price is an ACCESS EXCLUSIVE lock on ``sales`` and
    ``sales_imports`` until the commit: their readers wait for the import instead of reading
    them. That is accepted only here, for the first import into an empty table, whose readers
    have nothing to read yet; a later import, into a table people use, keeps the indexes and
    its readers. The lock is taken only if it comes within ``LOCK_WAIT``; otherwise the COPY
    runs with the indexes, as before.

    The foreign key to ``users`` stays (it costs least: unmatched deals have no person):
    dropping it would lock ``users``, which every page reads, for the whole import. So do the
    primary key and the index on ``import_id``: every new row goes at their end (ids in
    order; one import id), cheap while Python checks the rows and the server waits for them,
    whereas the builds after the COPY are time the import waits for.
    """
    cursor.execute("SAVEPOINT lms_first_import")
    try:
        cursor.execute("SELECT current_setting('lock_timeout')")
        (previous,) = cursor.fetchone()
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", (LOCK_WAIT,))
        cursor.execute("LOCK TABLE sales, sales_imports IN ACCESS EXCLUSIVE MODE")
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", (previous,))
        # It was empty when the import began; is it still, now that nobody else can write?
        cursor.execute("SELECT 1 FROM sales LIMIT 1")
        empty = cursor.fetchone() is None
    except psycopg.errors.LockNotAvailable:
        empty = False
    if not empty:  # also gives the lock back
        cursor.execute("ROLLBACK TO SAVEPOINT lms_first_import")
        cursor.execute("RELEASE SAVEPOINT lms_first_import")
        return []
    cursor.execute("RELEASE SAVEPOINT lms_first_import")
    cursor.execute(
        "SELECT c.conname, pg_get_constraintdef(c.oid), c.contype = 'f' FROM pg_constraint c "
        "WHERE c.conrelid = 'sales'::regclass AND (c.contype = 'u' "
        "OR c.contype = 'f' AND c.confrelid = 'sales_imports'::regclass)")
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'sales'::regclass "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid "
        "AND k.conrelid = 'sales'::regclass) AND NOT (i.indnatts = 1 AND i.indkey[0] = "
        "(SELECT attnum FROM pg_attribute WHERE attrelid = 'sales'::regclass "
        "AND attname = 'import_id'))")
    indexes = cursor.fetchall()
    for name, _, _ in constraints:
        cursor.execute(sql.SQL("ALTER TABLE sales DROP CONSTRAINT {}").format(
            sql.Identifier(name)))
    for name, _ in indexes:
        cursor.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))

    def add(name: str, definition: str) -> str:
        return sql.SQL("ALTER TABLE sales ADD CONSTRAINT {} ").format(
            sql.Identifier(name)).as_string(cursor.connection) + definition

    # Keys first, foreign keys last: a foreign key is checked with one scan of the table.
    return [*(add(n, d) for n, d, foreign in constraints if not foreign),
            *(d for _, d in indexes), *(add(n, d) for n, d, foreign in constraints if foreign)]


def rebuild_indexes(cursor: psycopg.Cursor, statements: Sequence[str]) -> None:
    """Run ``defer_indexes``' statements, with more memory for the sorts."""
    if not statements:
        return
    cursor.execute("SELECT current_setting('maintenance_work_mem')")
    (previous,) = cursor.fetchone()
    cursor.execute("SELECT set_config('maintenance_work_mem', %s, true)", (BUILD_MEMORY,))
    for statement in statements:
        cursor.execute(statement)
    cursor.execute("SELECT set_config('maintenance_work_mem', %s, true)", (previous,))


def undo_changes(connection: Connection, import_id: int, owners: OwnerIndex,
                 local: LocalActions, progress: Callable[[int], None] | None = None,
                 ) -> tuple[int, int]:
    """Delete the deals ``import_id`` added and restore the ones it updated, page by page.
    The person is matched again from the restored owner (people may have joined since), and
    the follow-ups and resolutions recorded in Verkoopklaar stay applied (``local``; a
    deleted deal's stay recorded for when it comes back). Returns (deleted, restored)."""
    dialect = Dialect(connection)
    ph = dialect.ph
    cursor = connection.connection.cursor()
    restored = 0
    last_id = 0
    try:
        cursor.execute(f"DELETE FROM sales AS s WHERE {dialect.added_where}",
                       (import_id, import_id))
        deleted = max(cursor.rowcount, 0)
        if progress and deleted:
            progress(deleted)
        while True:
            cursor.execute(f"SELECT id, crm_id, previous FROM sale_changes WHERE import_id = {ph} "
                           f"AND action = 'updated' AND id > {ph} ORDER BY id LIMIT {BATCH}",
                           (import_id, last_id))
            page = cursor.fetchall()
            if not page:
                break
            last_id = page[-1][0]
            updates = list(_restorations(page, owners, local, dialect))
            cursor.executemany(dialect.update, updates)
            restored += len(updates)
            if progress:
                progress(len(page))
    finally:
        cursor.close()
    return deleted, restored


def _restorations(page: Iterable[Row], owners: OwnerIndex, local: LocalActions,
                  dialect: Dialect) -> Iterator[Row]:
    for _, crm_id, previous in page:
        old = json.loads(previous) if isinstance(previous, str) else previous
        row = [crm_id, *(old[c] for c in COLUMNS[1:])]
        row[USER] = owners.match(old["owner_email"], old["owner_crm_id"], old["owner_name"])
        yield (*dialect.bind(local.apply(tuple(row)))[1:], old["import_id"], crm_id)
