"""Which reminders are due on a day, and sending them through SMTP or the application log.

The rules, for assignments of active people to items that still exist, not yet complete:

* due soon: once in the ``days_before`` days up to the due date (on the first run in that
  window; a new due date opens a new window);
* overdue: from the day after the due date, at most once every ``OVERDUE_EVERY_DAYS`` days;
* a learner gets one mail a day covering all their items that are due a reminder;
* every manager gets one digest a day listing the overdue items of the people they see under
  the security policy (their teams, the teams below, their direct reports);
* a salesperson's mail also lists their follow-ups past their days and their complaints open
  longer than ``COMPLAINT_OPEN_DAYS`` (lms.sales.worklist), at most once every
  ``OVERDUE_EVERY_DAYS`` days (with the training items, or alone), logged as one ``sales`` row;
  the digest counts them per person every day it is sent;
* a learner who asked for their boosters by mail (on their account page) gets one mail a day
  when boosters wait on their dashboard (lms.boosters.mail), logged as one ``boosters`` row,
  with a link built on ``LMS_BASE_URL``.

Every mail sent is logged in ``reminder_log`` (one row per assignment reminded, one per digest)
and committed right after it is sent: a mail cannot be unsent, so its log row must not wait for
the end of the run. The unique constraint on the log makes a second run on the same day (or two
runs at once) send nothing twice.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any, Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lms.boosters.cards import day_start
from lms.boosters.mail import waiting
from lms.clock import local_today
from lms.extensions import db
from lms.i18n import speaking
from lms.learning.assignments import completed_clause, live_assignments_query, start_of
from lms.models import (
    Assignment,
    ContentItem,
    ContentVersion,
    ReminderLog,
    Role,
    Team,
    User,
    utcnow,
)
from lms.progress import Progress, quiet
from lms.reminders.compose import (
    DueItem,
    Mail,
    OverdueLine,
    SalesCount,
    SalesLine,
    booster_mail,
    learner_mail,
    manager_digest,
)
from lms.sales.worklist import FOLLOW_UP, Rules, Worklist, late_work
from lms.security import Scope, managed_scope

DUE_SOON, OVERDUE, DIGEST, SALES = "due_soon", "overdue", "digest", "sales"
BOOSTERS = "boosters"
OVERDUE_EVERY_DAYS = 7


# Planning ---------------------------------------------------------------------------------------

@dataclass
class Planned:
    mail: Mail
    user_id: int
    #: (assignment id, kind) of each reminder this mail carries; (None, "digest") for a digest.
    logs: list[tuple[int | None, str]]

    @property
    def is_digest(self) -> bool:
        return self.logs == [(None, DIGEST)]


@dataclass
class Plan:
    mails: list[Planned] = field(default_factory=list)
    #: Reminders not sent again: already sent today, this week or in this due-date window.
    skipped: int = 0


def _candidates(today: date, days_before: int) -> list[Any]:
    """Live, incomplete assignments due by ``today + days_before``, with the last reminder of
    each kind (one query)."""

    def last(kind: str) -> Any:
        return (select(func.max(ReminderLog.sent_on))
                .where(ReminderLog.assignment_id == Assignment.id, ReminderLog.kind == kind)
                .scalar_subquery())

    query = (live_assignments_query(
        Assignment.id, Assignment.user_id, Assignment.due_date, User.name, User.email,
        User.locale, User.team_id, User.manager_id, Team.name.label("team_name"), ContentItem.kind,
        ContentItem.slug, ContentVersion.title, last(DUE_SOON).label("last_due_soon"),
        last(OVERDUE).label("last_overdue"))
        .outerjoin(Team, User.team_id == Team.id)
        .outerjoin(ContentVersion, ContentItem.current_version_id == ContentVersion.id)
        .where(Assignment.due_date.is_not(None),
               Assignment.due_date <= today + timedelta(days=days_before),
               ~completed_clause(start_of(today)))
        .order_by(User.name, Assignment.due_date, Assignment.id))
    return list(db.session.execute(query))


@dataclass(frozen=True)
class _Seller:
    """A salesperson with follow-ups or complaints to mention, and their work."""

    user_id: int
    name: str
    email: str
    locale: str | None
    team_id: int | None
    manager_id: int | None
    team_name: str | None
    work: Worklist

    def lines(self) -> list[SalesLine]:
        return [SalesLine(i.kind, i.customer, i.crm_id, i.since,
                          -i.days if i.kind == FOLLOW_UP else i.days)
                for i in (*self.work.follow_ups, *self.work.complaints)]


def _sellers(rules: Rules) -> dict[int, _Seller]:
    """The active salespeople with follow-ups past their days or complaints open long (three
    queries, whatever their number)."""
    late = late_work(Scope(everyone=True), rules)
    if not late:
        return {}
    people = db.session.execute(
        select(User.id, User.name, User.email, User.locale, User.team_id, User.manager_id,
               Team.name).outerjoin(Team, Team.id == User.team_id)
        .where(User.id.in_(sorted(late))))
    return {uid: _Seller(uid, name, email, locale, team_id, manager_id, team, late[uid])
            for uid, name, email, locale, team_id, manager_id, team in people}


def plan_reminders(today: date, *, days_before: int, sales: Rules | None = None) -> Plan:
    """The mails to send on ``today``; reads the database, writes nothing. ``sales``: the
    follow-up rules, to mention follow-ups and complaints too (None: training only)."""
    plan = Plan()
    rows = _candidates(today, days_before)
    sellers = _sellers(sales) if sales is not None else {}

    per_learner: dict[int, list[tuple[Any, str]]] = defaultdict(list)
    for row in rows:
        days_left = (row.due_date - today).days
        if days_left < 0:
            recent = (row.last_overdue is not None
                      and (today - row.last_overdue).days < OVERDUE_EVERY_DAYS)
            kind = OVERDUE
        else:
            recent = (row.last_due_soon is not None
                      and row.last_due_soon >= row.due_date - timedelta(days=days_before))
            kind = DUE_SOON
        if recent:
            plan.skipped += 1
        else:
            per_learner[row.user_id].append((row, kind))
    mention = _sellers_to_mention(plan, sellers, today)
    for user_id in [*per_learner, *(u for u in mention if u not in per_learner)]:
        entries = per_learner.get(user_id, [])
        seller = mention.get(user_id)
        first = entries[0][0] if entries else seller
        items = [DueItem(row.title or row.slug, row.kind, row.due_date,
                         (row.due_date - today).days) for row, _kind in entries]
        # In the learner's own language (theirs, else the organisation's).
        with speaking(first.locale):
            mail = learner_mail(first.name, first.email, items,
                                seller.lines() if seller else ())
        logs: list[tuple[int | None, str]] = [(row.id, kind) for row, kind in entries]
        if seller:
            logs.append((None, SALES))
        plan.mails.append(Planned(mail, user_id, logs))

    overdue = [row for row in rows if row.due_date < today]
    if overdue or sellers:
        _plan_digests(plan, overdue, today, sellers,
                      sales.complaint_open_days if sales is not None else 0)
    _plan_boosters(plan, today)
    return plan


def site_url(endpoint: str, *, anchor: str | None = None, **values: Any) -> str:
    """An address on the site as people reach it (``LMS_BASE_URL``, which may end in a path),
    for a link in a mail: no request to take the host from."""
    base = urlsplit(str(current_app.config["BASE_URL"]))
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/",
                                       url_scheme=base.scheme or "https")
    url = adapter.build(endpoint, values, force_external=True)
    return f"{url}#{anchor}" if anchor else url


def _plan_boosters(plan: Plan, today: date) -> None:
    """A mail for each person who asked for their boosters by mail and has some waiting,
    unless it went out today already."""
    # The boosters the dashboard shows now; run for another day, those due by its end.
    now = utcnow() if today == local_today() else day_start(today + timedelta(days=1))
    people = waiting(today, now)
    if not people:
        return
    already = set(db.session.scalars(select(ReminderLog.user_id).where(
        ReminderLog.kind == BOOSTERS, ReminderLog.sent_on == today,
        ReminderLog.user_id.in_([p.user_id for p in people]))))
    link = site_url("learn.dashboard", anchor="boosters")
    account = site_url("auth.account")
    for person in people:
        if person.user_id in already:
            plan.skipped += 1
            continue
        with speaking(person.locale):
            mail = booster_mail(person.name, person.email, person.count, person.question,
                                link, account)
        plan.mails.append(Planned(mail, person.user_id, [(None, BOOSTERS)]))


def _sellers_to_mention(plan: Plan, sellers: dict[int, _Seller],
                        today: date) -> dict[int, _Seller]:
    """The salespeople whose follow-ups and complaints were not mentioned in the last
    OVERDUE_EVERY_DAYS days (the others count as skipped)."""
    if not sellers:
        return {}
    last = dict(db.session.execute(
        select(ReminderLog.user_id, func.max(ReminderLog.sent_on))
        .where(ReminderLog.kind == SALES, ReminderLog.user_id.in_(sorted(sellers)))
        .group_by(ReminderLog.user_id)).all())
    out = {}
    for user_id, seller in sellers.items():
        if user_id in last and (today - last[user_id]).days < OVERDUE_EVERY_DAYS:
            plan.skipped += 1
        else:
            out[user_id] = seller
    return out


def _plan_digests(plan: Plan, overdue: list[Any], today: date,
                  sellers: dict[int, _Seller], open_days: int) -> None:
    already = set(db.session.scalars(select(ReminderLog.user_id).where(
        ReminderLog.kind == DIGEST, ReminderLog.sent_on == today)))
    managers = db.session.scalars(select(User).where(
        User.active.is_(True), User.role.in_([Role.MANAGER.value, Role.ADMIN.value]))
        .order_by(User.name))
    for manager in managers:
        # The people this manager (or admin) manages, as the policy says (lms.security).
        scope = managed_scope(manager)
        lines = [OverdueLine(row.name, row.team_name, row.title or row.slug, row.due_date,
                             (today - row.due_date).days)
                 for row in overdue if row.user_id != manager.id
                 and scope.includes(user_id=row.user_id, team_id=row.team_id,
                                    manager_id=row.manager_id)]
        counts = [SalesCount(s.name, s.team_name, len(s.work.follow_ups),
                             len(s.work.complaints))
                  for s in sellers.values() if s.user_id != manager.id
                  and scope.includes(user_id=s.user_id, team_id=s.team_id,
                                     manager_id=s.manager_id)]
        if not lines and not counts:
            continue
        if manager.id in already:
            plan.skipped += 1
            continue
        with speaking(manager.locale):
            mail = manager_digest(manager.name, manager.email, lines, today, counts, open_days)
        plan.mails.append(Planned(mail, manager.id, [(None, DIGEST)]))


# Sending ----------------------------------------------------------------------------------------

class MailError(Exception):
    """The mail server refused or could not be reached; the message says which and why."""


class Mailer(Protocol):
    def __enter__(self) -> Mailer: ...
    def __exit__(self, *exc: object) -> None: ...
    def send(self, mail: Mail) -> None: ...


def build_message(mail: Mail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    # Tells mail servers and out-of-office replies that no person sent this.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message


class LogMailer:
    """Without LMS_SMTP_URL: each mail is written to the application log instead of sent."""

    def __enter__(self) -> LogMailer:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def send(self, mail: Mail) -> None:
        # WARNING, not INFO: the default log level must show it, and a mail that was not
        # really sent is worth noticing in production.
        current_app.logger.warning("Mail not sent (LMS_SMTP_URL is not set). To: %s\n"
                                   "Subject: %s\n\n%s", mail.to, mail.subject, mail.text)


class SmtpMailer:
    """Sends through ``smtp://user:password@host:port``, one connection for the whole run,
    opened at the first mail.

    ``smtps://`` speaks TLS from the first byte (port 465). ``smtp://`` (port 25, or 587 for
    submission) switches to TLS with STARTTLS whenever the server offers it, and a password is
    never sent over a connection that did not: a server without STARTTLS is refused when the
    URL has a user, unless ``?starttls=off`` says the relay is trusted (a mail server on the
    same machine or network). Certificates are checked against the system's trusted CAs
    (``SSL_CERT_FILE`` adds a private one).
    """

    def __init__(self, url: str, sender: str, *, timeout: float = 30) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            if parts.scheme:
                raise MailError(_("LMS_SMTP_URL must look like smtp://user:password@host:port "
                                  "or smtps://...; got %(scheme)s scheme", scheme=parts.scheme))
            raise MailError(_("LMS_SMTP_URL must look like smtp://user:password@host:port or "
                              "smtps://...; got no scheme"))
        options = dict(parse_qsl(parts.query))
        if set(options) - {"starttls"} or options.get("starttls", "auto") not in ("auto", "off"):
            raise MailError(_("LMS_SMTP_URL: the only option is ?starttls=off (a trusted relay "
                              "without TLS); got ?%(query)s", query=parts.query))
        self.tls = parts.scheme == "smtps"
        self.starttls = not self.tls and options.get("starttls", "auto") == "auto"
        self.host = parts.hostname
        self.port = parts.port or (465 if self.tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else ""
        self.sender = sender
        self.timeout = timeout
        self._conn: smtplib.SMTP | None = None

    @property
    def where(self) -> str:
        return f"{'smtps' if self.tls else 'smtp'}://{self.host}:{self.port}"

    def __enter__(self) -> SmtpMailer:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._conn is not None:
            # The mails are out; a failed goodbye changes nothing.
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._conn.quit()
            self._conn = None

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.tls:
            conn: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                                  context=context)
        else:
            conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.starttls:
                conn.ehlo()
                if conn.has_extn("starttls"):
                    conn.starttls(context=context)
                    conn.ehlo()
                elif self.username:
                    raise MailError(_(
                        "the mail server at %(server)s does not offer STARTTLS, so the "
                        "password was not sent; use smtps://, or add ?starttls=off to "
                        "LMS_SMTP_URL if the server is a trusted relay", server=self.where))
            if self.username:
                conn.login(self.username, self.password)
        except (smtplib.SMTPException, OSError, MailError):
            conn.close()
            raise
        return conn

    def send(self, mail: Mail) -> None:
        try:
            if self._conn is None:
                self._conn = self._connect()
            self._conn.send_message(build_message(mail, self.sender))
        except ssl.SSLCertVerificationError as exc:
            raise MailError(_("could not send mail through %(server)s: its certificate is not "
                              "trusted (%(reason)s)", server=self.where,
                              reason=exc.verify_message)) from None
        except (smtplib.SMTPException, OSError) as exc:
            reason = str(exc) or type(exc).__name__
            raise MailError(_("could not send mail through %(server)s: %(reason)s",
                              server=self.where, reason=reason)) from None


def mailer_for(config: Any) -> Mailer:
    if config.get("SMTP_URL"):
        return SmtpMailer(config["SMTP_URL"], config["MAIL_FROM"])
    return LogMailer()


@dataclass
class Outcome:
    planned: list[Planned]
    sent: list[Planned] = field(default_factory=list)
    skipped: int = 0
    #: Set when the mail server failed; the mails sent before that stay sent and logged.
    error: str | None = None


def send_reminders(mailer: Mailer, *, today: date, days_before: int,
                   sales: Rules | None = None, dry_run: bool = False,
                   progress: Progress = quiet) -> Outcome:
    """Plan and send the day's reminders. Commits after each mail (see the module docstring);
    a dry run sends and writes nothing."""
    plan = plan_reminders(today, days_before=days_before, sales=sales)
    outcome = Outcome(plan.mails, skipped=plan.skipped)
    if dry_run:
        return outcome
    with mailer:
        for number, planned in enumerate(plan.mails, start=1):
            progress("mails", number, len(plan.mails))
            db.session.add_all(ReminderLog(user_id=planned.user_id, assignment_id=aid,
                                           kind=kind, sent_on=today)
                               for aid, kind in planned.logs)
            try:
                db.session.flush()
            except IntegrityError:
                # Another run sent it a moment ago.
                db.session.rollback()
                outcome.skipped += len(planned.logs)
                continue
            try:
                mailer.send(planned.mail)
            except MailError as exc:
                db.session.rollback()
                outcome.error = str(exc)
                break
            db.session.commit()
            outcome.sent.append(planned)
    return outcome
