"""One run of a scheduled job at a time, across every app server (``job_leases``).

An organisation with several app servers puts the same cron line on each, so the same job
starts on all of them at once. ``lease(name)`` lets exactly one run take the job: it inserts the
job's row (the primary key decides the race, on SQLite and PostgreSQL alike) or takes over a
row whose time ran out (a run that died), and commits at once so the others see it; the run
gives it back when it ends. The others get ``Taken`` with who holds it and since when.

The lease is a courtesy on top of the jobs' own guarantees (the reminder log's unique
constraint already stops a mail going out twice): it keeps the other servers from planning
the same work and from racing on every row.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from lms.extensions import db
from lms.models import JobLease
from lms.models.base import utcnow

#: A run that has not finished after this long is taken to have died.
DEFAULT_SECONDS = 3600


@dataclass(frozen=True)
class Taken:
    """The job is held by another run."""

    holder: str
    taken_at: datetime


def this_run() -> str:
    return f"{socket.gethostname()} pid {os.getpid()}"


def take(name: str, *, seconds: int = DEFAULT_SECONDS, holder: str | None = None,
         now: datetime | None = None) -> Taken | None:
    """Take the job's lease and commit; None when taken, else who holds it."""
    now = now or utcnow()
    holder = holder or this_run()
    expires = now + timedelta(seconds=seconds)
    db.session.commit()  # the lease must be its own transaction, seen by the others at once
    try:
        db.session.add(JobLease(name=name, holder=holder, taken_at=now, expires_at=expires))
        db.session.commit()
        return None
    except IntegrityError:
        db.session.rollback()
    took_over = db.session.execute(
        update(JobLease).where(JobLease.name == name, JobLease.expires_at < now)
        .values(holder=holder, taken_at=now, expires_at=expires)).rowcount
    db.session.commit()
    if took_over:
        return None
    # The columns, not the object: a JobLease left in the session's identity map would clash
    # with the row this process inserts when it takes the job later.
    row = db.session.execute(select(JobLease.holder, JobLease.taken_at)
                             .where(JobLease.name == name)).first()
    if row is None:  # given back between our insert and our look: try once more
        return take(name, seconds=seconds, holder=holder, now=now)
    return Taken(row.holder, row.taken_at)


def give_back(name: str, holder: str | None = None) -> None:
    db.session.rollback()
    db.session.execute(delete(JobLease).where(JobLease.name == name,
                                              JobLease.holder == (holder or this_run())))
    db.session.commit()


@contextmanager
def lease(name: str, *, seconds: int = DEFAULT_SECONDS) -> Iterator[Taken | None]:
    """``with lease("reminders") as taken:`` — do the work when ``taken`` is None. Taking the
    lease commits the session; the work commits its own changes, and giving the lease back
    rolls back whatever it left uncommitted (after an error, say)."""
    holder = this_run()
    taken = take(name, seconds=seconds, holder=holder)
    try:
        yield taken
    finally:
        if taken is None:
            give_back(name, holder)
