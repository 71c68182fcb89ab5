"""Claiming and posting the team chat messages (``lms reminders send``, after the mails).

Once only: each message is first claimed by inserting its ``chat_deliveries`` row, unique per
webhook, kind and period, and committed before anything is posted; a second run (or a second
server) finds the row and posts nothing. A run also takes the row with a conditional UPDATE
(``claimed_until``, renewed to CLAIM_FOR before each post), so two runs never post the same row
at once; the claim's end is the run's token, and every later write checks it, so a post that
outlived its claim (a service answering very slowly) never overwrites what another run did.

Retries: no answer, 5xx, 408 and 429 are tried again in the same run (at most TRIES_PER_RUN
posts, waiting the service's Retry-After or a short back-off, never more than WAIT_IN_RUN), and
then by later runs after an exponential back-off kept in the row, until MAX_ATTEMPTS or until
the message is GIVE_UP_AFTER old or replaced by a newer one of its kind. Any other answer (400,
403, 404, 410 ...) means the address or the message is wrong: the row is given up at once.
Every answer is recorded as it comes (commit), and the Team chat page shows the last one.

A connection that breaks after the request went out is ambiguous (the service may have posted):
it is tried again, so in that rare case a message can show twice; a missed digest is the worse
failure. The mails are sent before any of this and nothing here changes their outcome.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lms.chat import webhook
from lms.chat.plan import Post, plan_posts
from lms.chat.secret import UnreadableUrl, decrypt
from lms.chat.settings import check_address
from lms.errors import DomainError
from lms.extensions import db
from lms.models import ChatDelivery, Team, TeamWebhook, utcnow
from lms.sales.worklist import Rules

CLAIM_FOR = timedelta(minutes=10)
TRIES_PER_RUN = 3
WAIT_IN_RUN = timedelta(seconds=30)
#: In a run: wait IN_RUN_BASE * 2**(n-1) after the n-th failed post (unless Retry-After says).
IN_RUN_BASE = timedelta(seconds=1)
#: Between runs: BACKOFF_BASE * 2**(attempts-1), at most BACKOFF_MAX.
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=6)
MAX_ATTEMPTS = 12
GIVE_UP_AFTER = timedelta(days=3)

#: Posts a payload to an address (``webhook.post``; tests may pass another).
Sender = Callable[[str, dict[str, Any]], webhook.Answer]


@dataclass
class ChatOutcome:
    #: What is new today (a dry run lists it and stops).
    planned: list[Post] = field(default_factory=list)
    delivered: int = 0
    #: Messages claimed before (by an earlier run or another server).
    skipped: int = 0
    #: Messages left for a later run.
    waiting: int = 0
    #: (team, channel, what went wrong) per failed webhook.
    errors: list[tuple[str, str, str]] = field(default_factory=list)


def post_to_chat(today: date, rules: Rules, *, dry_run: bool = False,
                 send: Sender = webhook.post, clock: Callable[[], datetime] = utcnow,
                 sleep: Callable[[float], None] = time.sleep) -> ChatOutcome:
    """Claim today's new messages and post everything due; commits as it goes."""
    outcome = ChatOutcome()
    posts = plan_posts(today, rules)
    known = _known(posts)
    outcome.planned = [p for p in posts if (p.webhook_id, p.kind, p.period) not in known]
    outcome.skipped = len(posts) - len(outcome.planned)
    if dry_run:
        return outcome
    for post in outcome.planned:
        if not _claim_new(post, clock()):
            outcome.skipped += 1  # another run claimed it a moment ago
    _give_up_old(today, clock())
    db.session.commit()
    due = db.session.execute(
        select(ChatDelivery, TeamWebhook, Team.name)
        .join(TeamWebhook, TeamWebhook.id == ChatDelivery.webhook_id)
        .join(Team, Team.id == TeamWebhook.team_id)
        .where(*_pending(), Team.active.is_(True),  # a team closed since: nobody to tell
               or_(ChatDelivery.next_try_at.is_(None), ChatDelivery.next_try_at <= clock()))
        .order_by(ChatDelivery.id)).all()
    for row, hook, team in due:
        _deliver(row, hook, team, outcome, send=send, clock=clock, sleep=sleep)
    outcome.waiting = db.session.scalar(
        select(func.count()).select_from(ChatDelivery).where(*_pending())) or 0
    return outcome


def _pending() -> tuple[Any, ...]:
    return ChatDelivery.delivered_at.is_(None), ChatDelivery.failed_at.is_(None)


def _known(posts: list[Post]) -> set[tuple[int, str, date]]:
    if not posts:
        return set()
    keys = [(p.webhook_id, p.kind, p.period) for p in posts]
    return set(db.session.execute(
        select(ChatDelivery.webhook_id, ChatDelivery.kind, ChatDelivery.period)
        .where(tuple_(ChatDelivery.webhook_id, ChatDelivery.kind, ChatDelivery.period)
               .in_(keys))).all())


def _claim_new(post: Post, now: datetime) -> bool:
    """Insert the message's row unless another run has; a newer message replaces an older one
    of the same kind still waiting (yesterday's digest is not worth posting after today's)."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    added = db.session.scalars(
        insert(ChatDelivery).values(webhook_id=post.webhook_id, kind=post.kind,
                                    period=post.period, payload=post.payload, created_at=now,
                                    attempts=0)
        .on_conflict_do_nothing(index_elements=["webhook_id", "kind", "period"])
        .returning(ChatDelivery.id)).all()
    if not added:
        return False
    db.session.execute(
        update(ChatDelivery)
        .where(ChatDelivery.webhook_id == post.webhook_id, ChatDelivery.kind == post.kind,
               ChatDelivery.period < post.period, *_pending(), _free(now))
        .values(failed_at=now, last_error=_("Replaced by a newer message before it could be "
                                            "delivered.")))
    return True


def _free(now: datetime) -> Any:
    return or_(ChatDelivery.claimed_until.is_(None), ChatDelivery.claimed_until < now)


def _give_up_old(today: date, now: datetime) -> None:
    db.session.execute(
        update(ChatDelivery)
        .where(ChatDelivery.period < today - GIVE_UP_AFTER, *_pending(), _free(now))
        .values(failed_at=now, last_error=_("Not delivered within %(days)d days; given up.",
                                            days=GIVE_UP_AFTER.days)))


def _take(row_id: int, now: datetime) -> datetime | None:
    """Take the row for this run (no other run holds it, and it is still to send): the
    claim's end, which is also this run's token for it, or None."""
    until = now + CLAIM_FOR
    taken = db.session.execute(
        update(ChatDelivery)
        .where(ChatDelivery.id == row_id, *_pending(), _free(now))
        .values(claimed_until=until)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return until if taken == 1 else None


def _settle(row_id: int, claim: datetime, **values: Any) -> bool:
    """Write the row if this run still holds it (its claim is the one this run set): a post
    that outlasted the claim finds the row maybe taken by another run, and leaves it be."""
    done = db.session.execute(
        update(ChatDelivery).where(ChatDelivery.id == row_id, *_pending(),
                                   ChatDelivery.claimed_until == claim)
        .values(**values).execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return done == 1


def _deliver(row: ChatDelivery, hook: TeamWebhook, team: str, outcome: ChatOutcome, *,
             send: Sender, clock: Callable[[], datetime],
             sleep: Callable[[float], None]) -> None:
    claim = _take(row.id, clock())
    if claim is None:
        return
    db.session.refresh(row)
    attempts, payload = row.attempts, row.payload
    try:
        url = check_address(decrypt(hook.url_encrypted), hook.kind)
    except UnreadableUrl:
        error = _("The webhook's address can no longer be read (LMS_SECRET_KEY changed?): "
                  "enter it again on the Team chat page.")
        _settle(row.id, claim, failed_at=clock(), claimed_until=None, last_error=error)
        outcome.errors.append((team, hook.channel, error))
        return
    except DomainError as exc:  # stored before a rule or LMS_CHAT_EXTRA_HOSTS changed
        _settle(row.id, claim, failed_at=clock(), claimed_until=None, last_error=exc.message)
        outcome.errors.append((team, hook.channel, exc.message))
        return
    for tries in range(1, TRIES_PER_RUN + 1):
        # Each post starts with a fresh claim, so waits and earlier posts never eat into it.
        renewed = clock() + CLAIM_FOR
        if not _settle(row.id, claim, claimed_until=renewed):
            outcome.errors.append((team, hook.channel, _lost()))
            return
        claim = renewed
        answer = send(url, payload)
        now = clock()
        attempts += 1
        tried = {"attempts": attempts, "last_tried_at": now}
        if answer.delivered:
            # Posted: true whoever holds the row now.
            db.session.execute(
                update(ChatDelivery)
                .where(ChatDelivery.id == row.id, ChatDelivery.delivered_at.is_(None))
                .values(delivered_at=now, claimed_until=None, last_error=None, failed_at=None,
                        **tried).execution_options(synchronize_session=False))
            db.session.commit()
            outcome.delivered += 1
            return
        error = answer.describe()
        if not answer.transient or attempts >= MAX_ATTEMPTS:
            if not _settle(row.id, claim, failed_at=now, claimed_until=None, last_error=error,
                           **tried):
                error = _lost()
            outcome.errors.append((team, hook.channel, error))
            return
        wait = (timedelta(seconds=min(answer.retry_after, GIVE_UP_AFTER.total_seconds()))
                if answer.retry_after is not None else IN_RUN_BASE * 2 ** (tries - 1))
        if tries == TRIES_PER_RUN or wait > WAIT_IN_RUN:
            later = min(BACKOFF_BASE * 2 ** (attempts - 1), BACKOFF_MAX)
            next_try = now + max(later, wait)
            if _settle(row.id, claim, next_try_at=next_try, claimed_until=None,
                       last_error=error, **tried):
                error = _("%(error)s; trying again from %(when)s UTC", error=error,
                          when=f"{next_try:%Y-%m-%d %H:%M}")
            else:
                error = _lost()
            outcome.errors.append((team, hook.channel, error))
            return
        if not _settle(row.id, claim, last_error=error, **tried):
            outcome.errors.append((team, hook.channel, _lost()))
            return
        sleep(wait.total_seconds())


def _lost() -> str:
    return _("A post took longer than this run's claim on the message; another run may have "
             "posted it, so this run left it.")


# For the Team chat page ----------------------------------------------------------------------

@dataclass(frozen=True)
class Status:
    last_delivered_at: datetime | None
    #: the newest message: "delivered", "waiting" or "given_up"
    state: str
    #: posts tried for the newest message
    attempts: int
    #: the latest failure since the last delivery, and when it happened
    last_error: str | None
    error_at: datetime | None
    #: when a waiting message is tried again (None: by the next run)
    next_try_at: datetime | None = None


def statuses(webhook_ids: list[int]) -> dict[int, Status]:
    """Each webhook's last delivery, its newest message and its latest failure since that
    delivery (three queries, whatever the number of webhooks)."""
    if not webhook_ids:
        return {}
    delivered = dict(db.session.execute(
        select(ChatDelivery.webhook_id, func.max(ChatDelivery.delivered_at))
        .where(ChatDelivery.webhook_id.in_(webhook_ids))
        .group_by(ChatDelivery.webhook_id)).all())

    def newest(*where: Any) -> dict[int, ChatDelivery]:
        ids = (select(func.max(ChatDelivery.id))
               .where(ChatDelivery.webhook_id.in_(webhook_ids), *where)
               .group_by(ChatDelivery.webhook_id))
        return {row.webhook_id: row for row in db.session.scalars(
            select(ChatDelivery).where(ChatDelivery.id.in_(ids)))}

    latest = newest()
    failing = newest(ChatDelivery.delivered_at.is_(None), ChatDelivery.last_error.is_not(None))
    out = {}
    for hook_id, row in latest.items():
        state = ("delivered" if row.delivered_at else "given_up" if row.failed_at
                 else "waiting")
        last_ok = delivered.get(hook_id)
        bad = failing.get(hook_id)
        if bad is not None and last_ok is not None and (bad.last_tried_at or bad.created_at) \
                < last_ok:
            bad = None
        out[hook_id] = Status(last_ok, state, row.attempts,
                              bad.last_error if bad else None,
                              (bad.last_tried_at or bad.failed_at) if bad else None,
                              row.next_try_at if state == "waiting" else None)
    return out
