"""The durable outbox between the learning records and the LRS (``xapi_outbox``).

``fill`` adds every valid statement not in the outbox yet (its stable id is the key: filling
twice adds nothing); ``push`` sends what is due, oldest first, in batches, and records each
answer at once (commit per batch), so a run that dies loses nothing and resends nothing the
LRS confirmed.

What each answer means: 200/204 delivered; 409 already known (delivered); a batch the LRS
refuses (400, 409, 413...) is sent again one statement at a time, so one bad statement is marked
failed with the LRS's message and does not hold up the rest; no answer, 5xx, 408 and 429 are
tried again after an exponential back-off (429: after its Retry-After); 401/403/404 stop the
run (the configuration is wrong) and change nothing. Resending after a lost answer is safe:
the LRS knows the id.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lms.extensions import db
from lms.models import XapiOutbox, utcnow
from lms.progress import Progress, quiet
from lms.xapi import statements as st
from lms.xapi.derive import Key, build, keys
from lms.xapi.lrs import Answer, LrsClient

BATCH = 50
CHUNK = 500
#: Back-off after the n-th failed try: BACKOFF_BASE * 2**(n-1), at most BACKOFF_MAX.
BACKOFF_BASE = timedelta(seconds=2)
BACKOFF_MAX = timedelta(hours=1)
#: A run waits in place for a retry this soon; a longer wait is left to the next run.
WAIT_IN_RUN = timedelta(seconds=60)
#: Failed tries in a row after which a run stops and leaves the rest to the next.
FAILURES_PER_RUN = 5


@dataclass
class FillReport:
    added: int = 0
    #: (statement id, the rules it breaks) of statements not stored; tried again next fill.
    invalid: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)


@dataclass
class PushReport:
    delivered: int = 0
    #: (statement id, the LRS's message) refused for good in this run.
    failed: list[tuple[str, str]] = field(default_factory=list)
    #: Statements left for a later run after transient failures.
    waiting: int = 0
    #: Why the run stopped early (the LRS kept failing, or refused our credentials).
    error: str | None = None


def client_from_config() -> LrsClient | None:
    config = current_app.config
    if not config.get("XAPI_LRS_URL"):
        return None
    return LrsClient(config["XAPI_LRS_URL"], config.get("XAPI_LRS_USERNAME"),
                     config.get("XAPI_LRS_PASSWORD"))


def _id_of(site: st.Site, key: Key) -> str:
    return st.statement_id(site, key.kind, key.record_id, key.at)


def fill(site: st.Site, *, now: datetime | None = None,
         progress: Progress = quiet) -> FillReport:
    """Add every statement of everyone that is not in the outbox yet; commits per chunk."""
    now = now or utcnow()
    report = FillReport()
    todo = keys(None, now=now)
    progress("fill", 0, len(todo))
    for start in range(0, len(todo), CHUNK):
        chunk = todo[start:start + CHUNK]
        ids = {_id_of(site, key): key for key in chunk}
        known = set(db.session.scalars(select(XapiOutbox.statement_id)
                                       .where(XapiOutbox.statement_id.in_(list(ids)))))
        missing = [key for sid, key in ids.items() if sid not in known]
        rows = []
        for derived in build(site, missing, now=now):
            if derived.problems:
                report.invalid.append((derived.statement["id"], derived.problems))
                continue
            rows.append({"statement_id": derived.statement["id"],
                         "payload": derived.statement, "statement_at": derived.key.at,
                         "created_at": now, "attempts": 0})
        report.added += _insert_new(rows)
        db.session.commit()
        progress("fill", start + len(chunk), len(todo))
    for statement_id, broken in report.invalid:
        current_app.logger.warning("xAPI statement %s not stored: %s", statement_id,
                                   "; ".join(broken))
    return report


def _insert_new(rows: list[dict]) -> int:
    """Insert the rows whose id is new (another run may have added some meanwhile)."""
    if not rows:
        return 0
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    # RETURNING counts what went in: a driver's rowcount for a multi-row insert is not reliable.
    added = db.session.scalars(insert(XapiOutbox).values(rows)
                               .on_conflict_do_nothing(index_elements=["statement_id"])
                               .returning(XapiOutbox.statement_id))
    return len(added.all())


def _pending(now: datetime):  # noqa: ANN202 - a WHERE clause
    return (XapiOutbox.delivered_at.is_(None), XapiOutbox.failed_at.is_(None),
            or_(XapiOutbox.next_try_at.is_(None), XapiOutbox.next_try_at <= now))


def due_count(now: datetime | None = None) -> int:
    return db.session.scalar(select(func.count()).select_from(XapiOutbox)
                             .where(*_pending(now or utcnow()))) or 0


def retry_failed() -> int:
    """Put the statements the LRS refused back in line (after the cause was mended)."""
    count = db.session.execute(update(XapiOutbox).where(XapiOutbox.failed_at.is_not(None),
                                                        XapiOutbox.delivered_at.is_(None))
                               .values(failed_at=None, next_try_at=None, attempts=0)).rowcount
    db.session.commit()
    return count


def backoff(tries: int, answer: Answer) -> timedelta:
    """How long to wait after the ``tries``-th failure; the LRS's Retry-After wins."""
    if answer.retry_after is not None:
        return timedelta(seconds=answer.retry_after)
    return min(BACKOFF_BASE * 2 ** max(tries - 1, 0), BACKOFF_MAX)


def push(client: LrsClient, *, batch: int = BATCH, clock: Callable[[], datetime] = utcnow,
         sleep: Callable[[float], None] = time.sleep,
         progress: Progress = quiet) -> PushReport:
    """Send every due statement; commits after each answer."""
    report = PushReport()
    total = due_count(clock())
    done = failures = 0
    progress("send", 0, total)
    while True:
        rows = list(db.session.scalars(
            select(XapiOutbox).where(*_pending(clock()))
            .order_by(XapiOutbox.statement_at, XapiOutbox.statement_id).limit(batch)))
        if not rows:
            break
        answer = client.post([row.payload for row in rows])
        if answer.accepted and (answer.status != 409 or len(rows) == 1):
            _delivered(rows, clock(), report)
        elif answer.status in (401, 403, 404):
            db.session.rollback()
            report.error = _("The LRS answered %(status)d at %(url)s: %(message)s. Check "
                             "LMS_XAPI_LRS_URL and the credentials.", status=answer.status,
                             url=client.endpoint, message=answer.message or "-")
            break
        elif not answer.transient:
            if len(rows) > 1:
                answer = _one_by_one(client, rows, report, clock)
            else:
                _failed(rows[0], answer, clock(), report)
        if answer.transient:
            wait = _retry_later([r for r in rows if r.delivered_at is None
                                 and r.failed_at is None], answer, clock())
            failures += 1
            if failures >= FAILURES_PER_RUN or wait > WAIT_IN_RUN:
                report.error = _("The LRS did not take the statements (%(problem)s); the next "
                                 "run tries again.", problem=answer.message or answer.status)
                break
            sleep(wait.total_seconds())
            continue
        failures = 0
        done += len(rows)
        db.session.commit()
        progress("send", min(done, total), max(total, done))
    report.waiting = db.session.scalar(
        select(func.count()).select_from(XapiOutbox)
        .where(XapiOutbox.delivered_at.is_(None), XapiOutbox.failed_at.is_(None))) or 0
    return report


def _one_by_one(client: LrsClient, rows: list[XapiOutbox], report: PushReport,
                clock: Callable[[], datetime]) -> Answer:
    """A refused batch, again statement by statement, so one bad statement does not hold up
    the rest. Stops at a transient failure and returns it (the rest waits for the back-off);
    else returns the last answer."""
    answer = Answer(None)
    for row in rows:
        answer = client.post([row.payload])
        if answer.accepted:
            _delivered([row], clock(), report)
        elif answer.transient:
            return answer
        else:
            _failed(row, answer, clock(), report)
    return answer


def _delivered(rows: list[XapiOutbox], now: datetime, report: PushReport) -> None:
    report.delivered += len(rows)
    for row in rows:
        row.delivered_at = now
        row.attempts += 1
        row.next_try_at = None


def _retry_later(rows: list[XapiOutbox], answer: Answer, now: datetime) -> timedelta:
    wait = timedelta(0)
    for row in rows:
        row.attempts += 1
        wait = max(wait, backoff(row.attempts, answer))
        row.last_error = _describe(answer)
    for row in rows:
        row.next_try_at = now + wait
    db.session.commit()
    return wait


def _failed(row: XapiOutbox, answer: Answer, now: datetime, report: PushReport) -> None:
    row.attempts += 1
    row.failed_at = now
    row.last_error = _describe(answer)
    report.failed.append((row.statement_id, row.last_error))


def _describe(answer: Answer) -> str:
    status = str(answer.status) if answer.status is not None else "no answer"
    return f"{status}: {answer.message}" if answer.message else status
