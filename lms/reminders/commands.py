"""``lms reminders send``: the day's reminder mails, meant to run from cron once a day."""

from __future__ import annotations

from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.clock import local_today
from lms.extensions import db
from lms.inputs import DAY
from lms.learning.rollouts import start_due_waves
from lms.maintenance.leases import lease
from lms.progress import PhaseBars
from lms.reminders.send import MailError, mailer_for, send_reminders


@click.group("reminders")
def reminders_cli() -> None:
    """Reminder mails to learners and managers."""


@reminders_cli.command("send")
@click.option("--today", type=DAY, metavar="DATE",
              help="Act as if it were this day (YYYY-MM-DD); default: today in LMS_TIMEZONE.")
@click.option("--dry-run", is_flag=True, help="Show what would be sent; send and log nothing.")
@with_appcontext
def send_command(today: date | None, dry_run: bool) -> None:
    """Mail learners whose training is due soon or overdue, and each manager a digest of the
    overdue training in their teams. Running it twice a day sends nothing twice."""
    day = today or local_today()
    if dry_run:
        _send(day, dry_run=True)
        return
    # Every app server may run this from cron at the same moment: one run does the work.
    with lease("reminders") as taken:
        if taken is not None:
            click.echo(f"Reminders are being sent by another run ({taken.holder}, since "
                       f"{taken.taken_at:%Y-%m-%d %H:%M} UTC); this run does nothing.")
            return
        _send(day, dry_run=False)


def _send(day: date, *, dry_run: bool) -> None:
    config = current_app.config
    if not dry_run:
        # Waves start before reminders are planned, so a wave's first reminder can go today;
        # never ahead of the real day, whatever --today says.
        started = start_due_waves(min(day, local_today()))
        db.session.commit()
        if started:
            click.echo(f"Rollouts: {started} {'person' if started == 1 else 'people'} started "
                       "a wave.")
    try:
        mailer = mailer_for(config)
    except MailError as exc:
        raise click.ClickException(str(exc)) from None
    with PhaseBars({"mails": "Sending reminders"}) as bars:
        outcome = send_reminders(mailer, today=day,
                                 days_before=int(config["REMINDER_DAYS_BEFORE"]),
                                 dry_run=dry_run, progress=bars)
    if dry_run:
        for planned in outcome.planned:
            click.echo(f"would send to {planned.mail.to}: {planned.mail.subject}")
        click.echo(f"Dry run for {day.isoformat()}: {_mails(len(outcome.planned))} to send; "
                   f"{_skipped(outcome.skipped)}. Nothing was sent.")
        return
    digests = sum(p.is_digest for p in outcome.sent)
    verb = "sent" if config.get("SMTP_URL") else "logged"
    click.echo(f"Reminders for {day.isoformat()}: {verb} {_mails(len(outcome.sent))} "
               f"({len(outcome.sent) - digests} to learners, {digests} manager digests); "
               f"{_skipped(outcome.skipped)}.")
    if verb == "logged" and outcome.sent:
        click.echo("LMS_SMTP_URL is not set, so the mails were written to the application log.")
    if outcome.error:
        raise click.ClickException(outcome.error)


def _mails(n: int) -> str:
    return f"{n} mail" + ("" if n == 1 else "s")


def _skipped(n: int) -> str:
    return f"skipped {n} reminder{'' if n == 1 else 's'} already sent"
