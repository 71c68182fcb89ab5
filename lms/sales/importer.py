"""The sales import service: preview, import (all or nothing, streaming), the log and undo.

How an import runs, with memory bounded whatever the file's size:

1. detect (``lms.sales.sources``): read rows until a value decides the decimal mark and the
   date order (usually a few rows; options and the preset win over detection);
2. check: one streaming pass parses and validates every row, collecting every error with its
   line, matching owners to people, and spilling the good rows in batches to a temporary file.
   Deal ids are remembered as 8-byte hashes only; a second look at the file runs only when two
   hashes collide, to name the lines of a duplicate;
3. write (only if nothing was wrong): the spilled batches are upserted by ``crm_id``
   (``lms.sales.store``: ``executemany``, or ``COPY`` on PostgreSQL), comparing each batch
   with the rows already stored (no look-up at all into an empty table); every changed deal
   is recorded in ``sale_changes`` for undo, and every added one carries the import's id.

Services flush and return; the caller commits (or rolls back). Nothing is written when any row
is bad, and a dry run writes nothing at all.
"""

from __future__ import annotations

import marshal
import tempfile
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from lms.errors import DomainError
from lms.extensions import db
from lms.models import Sale, SaleChange, SalesImport, User, utcnow
from lms.progress import Progress
from lms.safeyaml import quote
from lms.sales.actions import LocalActions, reapply_local_actions
from lms.sales.matching import OwnerCount, OwnerIndex
from lms.sales.parsing import ReadError
from lms.sales.presets import GENERIC, HeaderError, Preset, get_preset
from lms.sales.sources import (
    FileSource,
    ImportOptions,
    Note,
    RecordSource,
    TableSource,
    detect_formats,
    settle_formats,
)
from lms.sales.store import BATCH, CopyStream, SalesWriter, undo_changes
from lms.sales.validation import Defaults, Formats, RowChecker, RowError, SaleRecord

#: Errors kept for the report (all are counted); a file of a million bad rows stays readable.
MAX_ERRORS = 1000
MAX_OWNERS = 10_000
Source = FileSource | RecordSource | TableSource
#: progress(phase, done, total): "checking" counts bytes (records for the API), "writing" rows.


@dataclass(frozen=True)
class SampleRow:
    record: SaleRecord  # as it will be stored
    person: str | None  # the matched person's name


@dataclass
class ImportReport:
    """What an import did (or, for a dry run or a bad file, would do / found)."""

    source: str
    preset: str
    file_hash: str
    dry_run: bool
    formats: Formats | None = None
    columns: dict[str, str] = field(default_factory=dict)  # field -> the file's header
    ignored_columns: list[str] = field(default_factory=list)
    rows_read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0  # rows with at least one problem
    errors: list[RowError] = field(default_factory=list)  # the first MAX_ERRORS, by line
    error_count: int = 0
    matched_rows: int = 0
    unmatched: list[OwnerCount] = field(default_factory=list)  # most deals first
    sample: list[SampleRow] = field(default_factory=list)
    import_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def unmatched_rows(self) -> int:
        return sum(o.rows for o in self.unmatched)

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(error)


# The import ---------------------------------------------------------------------------------

def preview(source: str | Path | bytes, preset: str | Path | Preset = "generic",
            options: ImportOptions | None = None, *, filename: str | None = None,
            sample_size: int = 20, progress: Progress | None = None) -> ImportReport:
    """What importing ``source`` would do, writing nothing: the first ``sample_size`` rows as
    mapped, the owners matching nobody (with their deal counts), every error with its line,
    and the added/updated/unchanged counts."""
    return import_sales(source, preset, options, dry_run=True, filename=filename,
                        sample_size=sample_size, progress=progress)


def import_sales(source: str | Path | bytes, preset: str | Path | Preset = "generic",
                 options: ImportOptions | None = None, *, actor: User | None = None,
                 dry_run: bool = False, filename: str | None = None, sample_size: int = 0,
                 progress: Progress | None = None) -> ImportReport:
    """Import a CRM export (a path or its bytes) all or nothing; see the module docstring.

    Returns the report; ``report.ok`` False means nothing was written and ``report.errors``
    says why, line by line. On success the import is recorded (``report.import_id``) and the
    session flushed: the caller commits.
    """
    options = options or ImportOptions()
    preset = preset if isinstance(preset, Preset) else get_preset(preset)
    file_source = FileSource(source, filename, options.encoding)
    return _run(file_source, preset, options, actor=actor, dry_run=dry_run,
                sample_size=sample_size, progress=progress)


def import_records(records: Sequence[Mapping[str, Any]], options: ImportOptions | None = None,
                   *, actor: User | None = None, dry_run: bool = False, source: str = "api",
                   sample_size: int = 0, progress: Progress | None = None) -> ImportReport:
    """Import deals given as mappings with the generic template's field names (values may be
    strings, numbers, dates or None), with the same checks, upsert, log and undo as a file.
    Errors carry the record's index (from 0) as their ``line`` and the field as ``column``."""
    options = options or ImportOptions()
    record_source = RecordSource(records, source)
    problems = record_source.problems()
    if problems:
        report = ImportReport(source=source, preset=GENERIC.name,
                              file_hash=record_source.file_hash, dry_run=dry_run,
                              rows_read=len(records))
        for error in problems:
            report.add_error(error)
        report.rejected = len({e.line for e in problems})
        return report
    return _run(record_source, GENERIC, options, actor=actor, dry_run=dry_run,
                sample_size=sample_size, progress=progress)


def import_table(source: TableSource, preset: Preset, options: ImportOptions | None = None,
                 *, actor: User | None = None, dry_run: bool = False) -> ImportReport:
    """Import rows given under a header ``preset`` knows (a CRM sync's deals) with the same
    checks, upsert, log and undo as a CSV export with that header."""
    return _run(source, preset, options or ImportOptions(), actor=actor, dry_run=dry_run,
                sample_size=0, progress=None)


def _run(source: Source, preset: Preset, options: ImportOptions, *,
         actor: User | None, dry_run: bool, sample_size: int,
         progress: Progress | None) -> ImportReport:
    report = ImportReport(source=source.name, preset=preset.name, file_hash=source.file_hash,
                          dry_run=dry_run)
    stream: _Streamed | None = None
    try:
        with source.open(preset) as opened:
            report.formats, notes = detect_formats(opened, preset, options)
            report.columns = dict(opened.columns.labels)
            report.ignored_columns = list(opened.columns.ignored)
        with tempfile.TemporaryFile(prefix="lms-sales-") as spill:
            owners = OwnerIndex.load()  # before a stream occupies the connection
            local = LocalActions.load()
            if not dry_run and CopyStream.possible(db.session.connection()):
                stream = _Streamed(report, actor)
            put = stream.write if stream else partial(_spill, spill)
            hashes, samples = _check(source, preset, options, report, (owners, local), put,
                                     sample_size, progress, notes)
            duplicates = _duplicate_hashes(hashes)
            del hashes
            if duplicates:
                _report_duplicates(source, preset, duplicates, report)
            if report.rows_read == 0 and report.ok:
                report.add_error(RowError(2, None, _("the file has a header but no deals")))
            report.errors.sort(key=lambda e: e.line)
            if stream:
                stream, streamed = None, stream
                streamed.finish(report, progress)
            _name_samples(report, samples)
            if report.ok and report.import_id is None:
                _write(spill, report, actor, dry_run, progress)
    except HeaderError as exc:
        for problem in exc.problems:
            report.add_error(RowError(1, None, problem))
    except ReadError as exc:
        report.add_error(RowError(exc.line, None, exc.message))
    finally:
        if stream:  # the check pass failed half way: nothing it streamed stays
            stream.abort()
    return report


class _Streamed:
    """The write pass folded into the check pass, on PostgreSQL into an empty table (see
    ``store.CopyStream``), inside a savepoint that a bad file rolls back."""

    def __init__(self, report: ImportReport, actor: User | None) -> None:
        self.savepoint = db.session.begin_nested()
        self.record = _new_record(report, actor)
        self.copy = CopyStream(db.session.connection(), self.record.id)

    def write(self, batch: list[tuple[Any, ...]]) -> None:
        self.copy.write(batch)

    def abort(self) -> None:
        self.copy.abort()
        self.savepoint.rollback()

    def finish(self, report: ImportReport, progress: Progress | None) -> None:
        if not report.ok:
            self.abort()
            return
        try:
            self.copy.finish()
        except db.session.connection().dialect.dbapi.IntegrityError as exc:
            self.savepoint.rollback()
            raise _concurrent() from exc
        self.savepoint.commit()
        if progress:
            progress("writing", self.copy.added, self.copy.added)
        report.added = self.copy.added
        _finish_record(self.record, report)


def _check(source: Source, preset: Preset, options: ImportOptions,
           report: ImportReport, known: tuple[OwnerIndex, LocalActions],
           put: Callable[[list[tuple[Any, ...]]], None],
           sample_size: int, progress: Progress | None, notes: dict[tuple[str, str], Note],
           ) -> tuple[list[array], list[tuple[SaleRecord, int | None]]]:
    """The checking pass: every row parsed and validated; good rows ``put`` in batches (while
    all are good), with the follow-ups and resolutions recorded in Verkoopklaar applied
    (``lms.sales.actions``: a CRM value wins only when later). Returns the deal ids' hashes and
    the sample rows with their person."""
    assert report.formats is not None
    owners, local = known
    defaults = Defaults(currency=(options.currency or preset.currency or "EUR").upper(),
                        satisfaction_scale=options.satisfaction_scale or preset.satisfaction_scale,
                        stages=preset.stages)
    unmatched: Counter[tuple[str | None, str | None, str | None]] = Counter()
    hashes = [array("q") for _ in range(256)]
    batch: list[tuple[Any, ...]] = []
    samples: list[tuple[SaleRecord, int | None]] = []
    count = matched = 0
    ok = report.ok  # only this pass adds errors from here on
    apply = local.apply if local.days else None
    with source.open(preset) as opened:
        checker = RowChecker(opened.columns, report.formats, defaults)
        checker.notes.update(notes)
        check, match = checker.check, owners.match
        try:
            for count, (line, fields) in enumerate(opened.rows, 1):
                record, errors = check(line, fields)
                if progress and not count % 4096:
                    progress("checking", opened.counter.bytes, source.size)
                if errors:
                    report.rejected += 1
                    for error in errors:
                        report.add_error(error)
                    ok = False
                    continue
                crm_hash = hash(record.crm_id)
                hashes[crm_hash & 255].append(crm_hash)
                owner = record[2:5]  # email, CRM id, name
                user_id = match(*owner)
                if user_id is None:
                    if owner in unmatched or len(unmatched) < MAX_OWNERS:
                        unmatched[owner] += 1
                else:
                    matched += 1
                if len(samples) < sample_size:
                    samples.append((record, user_id))
                if ok:
                    row = _stored(record, user_id)
                    batch.append(row if apply is None else apply(row))
                    if len(batch) >= BATCH:
                        put(batch)
                        batch = []
        finally:
            report.matched_rows += matched
        report.rows_read = count
        report.formats = settle_formats(report.formats, checker.notes)
        if progress:
            progress("checking", source.size, source.size)
    if batch and ok:
        put(batch)
    report.unmatched = [OwnerCount(e, c, n, rows) for (e, c, n), rows in unmatched.most_common()]
    return hashes, samples


def _name_samples(report: ImportReport,
                  samples: list[tuple[SaleRecord, int | None]]) -> None:
    names = dict(db.session.execute(select(User.id, User.name).where(
        User.id.in_({uid for _, uid in samples if uid is not None}))).all()) if samples else {}
    report.sample = [SampleRow(r, names.get(uid)) for r, uid in samples]


def _spill(spill: BinaryIO, batch: list[tuple[Any, ...]]) -> None:
    data = marshal.dumps(batch)
    spill.write(len(data).to_bytes(8, "little"))
    spill.write(data)


def _spilled(spill: BinaryIO) -> Iterator[list[tuple[Any, ...]]]:
    spill.seek(0)
    while head := spill.read(8):
        yield marshal.loads(spill.read(int.from_bytes(head, "little")))


def _stored(record: SaleRecord, user_id: int | None) -> tuple[Any, ...]:
    """A checked record as a row in ``store.COLUMNS`` order, in marshal-able plain values.
    (Unpacked by position: this runs once per row of a million-row file.)"""
    (_, crm_id, email, crm_owner, name, customer_key, customer_name, product, stage, created,
     closed, amount, currency, satisfaction, scale, raised, resolved, follow_up) = record
    # The checker quantizes every amount to cents: str() writes it with two decimals.
    return (crm_id, user_id, email, crm_owner, name, customer_key, customer_name, product,
            stage, created and created.isoformat(), closed and closed.isoformat(), str(amount),
            currency, satisfaction, scale, raised and raised.isoformat(),
            resolved and resolved.isoformat(), follow_up and follow_up.isoformat())


def _duplicate_hashes(buckets: list[array]) -> set[int]:
    duplicates = set()
    for bucket in buckets:
        ordered = sorted(bucket)
        duplicates.update(a for a, b in zip(ordered, ordered[1:], strict=False) if a == b)
    return duplicates


def _report_duplicates(source: Source, preset: Preset,
                       duplicates: set[int], report: ImportReport) -> None:
    """A second look, only when two deal ids may be the same: name the lines."""
    first_line: dict[str, int] = {}
    with source.open(preset) as opened:
        i = opened.columns.index["crm_id"]
        label = opened.columns.label("crm_id")
        for line, fields in opened.rows:
            if len(fields) != opened.columns.width:
                continue
            crm_id = fields[i].strip()
            if hash(crm_id) not in duplicates:
                continue
            if crm_id in first_line:
                report.rejected += 1
                report.add_error(RowError(line, label, _(
                    "the deal id %(id)s appears more than once (first on line %(line)d)",
                    id=quote(crm_id), line=first_line[crm_id])))
            else:
                first_line[crm_id] = line


def _write(spill: BinaryIO, report: ImportReport, actor: User | None, dry_run: bool,
           progress: Progress | None) -> None:
    """The writing pass (or, for a dry run, the counting one)."""
    record = None if dry_run else _new_record(report, actor)
    connection = db.session.connection()
    writer = SalesWriter(connection, record.id if record else None)
    total = report.rows_read - report.rejected
    done = 0
    try:
        for batch in _spilled(spill):
            writer.write(batch)
            done += len(batch)
            if progress:
                progress("writing", done, total)
    except connection.dialect.dbapi.IntegrityError as exc:
        raise _concurrent() from exc
    finally:
        writer.close()
    report.added, report.updated, report.unchanged = writer.added, writer.updated, writer.unchanged
    if record is not None:
        _finish_record(record, report)


def _new_record(report: ImportReport, actor: User | None) -> SalesImport:
    record = SalesImport(imported_by_id=actor.id if actor else None, source=report.source[:255],
                         preset=report.preset[:64], file_hash=report.file_hash)
    db.session.add(record)
    db.session.flush()
    return record


def _finish_record(record: SalesImport, report: ImportReport) -> None:
    record.rows_read = report.rows_read
    record.added, record.updated, record.unchanged = report.added, report.updated, \
        report.unchanged
    record.finished_at = utcnow()
    report.import_id = record.id
    reapply_local_actions()
    db.session.flush()
    # Rows changed behind the ORM's back: objects loaded before must be read again.
    db.session.expire_all()


def _concurrent() -> DomainError:
    return DomainError(_("Another import changed the same deals at the same time; nothing "
                         "was imported. Try again."))


# The log and undo ----------------------------------------------------------------------------

@dataclass(frozen=True)
class UndoReport:
    import_id: int
    deleted: int
    restored: int


def list_imports(limit: int = 50) -> list[SalesImport]:
    """The newest imports first, with who ran them."""
    return list(db.session.scalars(select(SalesImport)
                                   .options(selectinload(SalesImport.imported_by))
                                   .order_by(SalesImport.id.desc()).limit(limit)))


def undo_import(import_id: int, *, progress: Callable[[int], None] | None = None) -> UndoReport:
    """Delete the deals an import added and restore those it updated to their previous values.
    Refused (``DomainError``) if it was undone already, or if a later import (or anything
    else) changed any of its deals since: undo the newest first. Flushes; the caller commits."""
    record = db.session.get(SalesImport, import_id)
    if record is None:
        raise DomainError(_("There is no sales import #%(id)d.", id=import_id))
    if record.undone_at is not None:
        raise DomainError(_("Import #%(id)d was already undone.", id=import_id))
    later = _changed_since(record)
    if later:
        parts = [_changed_part(other, count, example) for other, count, example in later]
        raise DomainError(_("Import #%(id)d cannot be undone: %(changes)s since. Undo the "
                            "later imports first, newest first.", id=import_id,
                            changes="; ".join(parts)))
    deleted, restored = undo_changes(db.session.connection(), import_id, OwnerIndex.load(),
                                     LocalActions.load(), progress)
    reapply_local_actions()
    record.undone_at = utcnow()
    from lms.sales.crm_sync import rewind  # it imports this module

    rewind(import_id)
    db.session.flush()
    db.session.expire_all()
    return UndoReport(import_id=import_id, deleted=deleted, restored=restored)


def _changed_part(other: int | None, count: int, example: str | None) -> str:
    """"import #3 changed 2 of its deals (e.g. 'D-1')", in the reader's language."""
    if other and example:
        return ngettext("import #%(other)d changed %(num)d of its deals (e.g. %(example)s)",
                        "import #%(other)d changed %(num)d of its deals (e.g. %(example)s)",
                        count, other=other, example=quote(example))
    if other:
        return ngettext("import #%(other)d changed %(num)d of its deals",
                        "import #%(other)d changed %(num)d of its deals", count, other=other)
    if example:
        return ngettext("a change outside the imports changed %(num)d of its deals "
                        "(e.g. %(example)s)",
                        "a change outside the imports changed %(num)d of its deals "
                        "(e.g. %(example)s)", count, example=quote(example))
    return ngettext("a change outside the imports changed %(num)d of its deals",
                    "a change outside the imports changed %(num)d of its deals", count)


def _changed_since(record: SalesImport) -> list[tuple[int | None, int, str | None]]:
    """(the import that changed them or None, how many, an example) for the deals ``record``
    added or updated that something changed since."""
    import_id = record.id
    # A deal it updated has a change row: changed since if another import's id is on it now.
    found: dict[int | None, tuple[int, str | None]] = {
        other: (count, example) for other, count, example in db.session.execute(
            select(Sale.import_id, func.count(), func.min(Sale.crm_id))
            .select_from(SaleChange).join(Sale, Sale.crm_id == SaleChange.crm_id)
            .where(SaleChange.import_id == import_id, SaleChange.action == "updated",
                   or_(Sale.import_id.is_(None), Sale.import_id != import_id))
            .group_by(Sale.import_id))}
    # A deal it added has no change row: count those still carrying its id. Fewer than it
    # added means later imports updated some (their change rows name this import as the
    # previous one) or something else did.
    carrying = db.session.scalar(select(func.count()).select_from(Sale)
                                 .where(Sale.import_id == import_id))
    updated_kept = db.session.scalar(
        select(func.count()).select_from(SaleChange)
        .join(Sale, Sale.crm_id == SaleChange.crm_id)
        .where(SaleChange.import_id == import_id, SaleChange.action == "updated",
               Sale.import_id == import_id))
    missing = record.added - (carrying - updated_kept)
    if missing > 0:
        for other, count, example in db.session.execute(
                select(SaleChange.import_id, func.count(), func.min(SaleChange.crm_id))
                .join(SalesImport, SalesImport.id == SaleChange.import_id)
                .where(SaleChange.import_id > import_id, SaleChange.action == "updated",
                       SalesImport.undone_at.is_(None),
                       SaleChange.previous["import_id"].as_integer() == import_id)
                .group_by(SaleChange.import_id)):
            before, first = found.get(other, (0, None))
            found[other] = (before + count, min(e for e in (first, example) if e))
            missing -= count
        if missing > 0:
            before, first = found.get(None, (0, None))
            found[None] = (before + missing, first)
    return sorted(((other, count, example) for other, (count, example) in found.items()),
                  key=lambda item: (item[0] is None, item[0] or 0))
