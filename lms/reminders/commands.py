"""``lms reminders send``: the day's reminder mails, meant to run from cron once a day."""

from __future__ import annotations

from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from lms.chat.deliver import ChatOutcome, post_to_chat
from lms.chat.plan import SERVICES
from lms.clock import local_today
from lms.extensions import db
from lms.inputs import DAY
from lms.learning.rollouts import start_due_waves
from lms.maintenance.leases import lease
from lms.progress import PhaseBars
from lms.reminders.send import MailError, mailer_for, send_reminders
from lms.sales.worklist import rules_from


@click.group("reminders")
def reminders_cli() -> None:
    """Reminder mails to learners and managers."""


@reminders_cli.command("send")
@click.option("--today", type=DAY, metavar="DATE",
              help="Act as if it were this day (YYYY-MM-DD); default: today in LMS_TIMEZONE.")
@click.option("--dry-run", is_flag=True, help="Show what would be sent; send and log nothing.")
@with_appcontext
def send_command(today: date | None, dry_run: bool) -> None:
    """Mail learners whose training is due soon or overdue (and, once a week, their overdue
    follow-ups and complaints open long), learners who asked for their boosters by mail when
    boosters wait, and each manager a digest of the overdue training, follow-ups and
    complaints in their teams. Then post each team's digest and weekly summary to its
    Microsoft Teams or Slack webhooks (Admin > Team chat), retrying those that failed before.
    Running it twice a day sends nothing twice."""
    day = today or local_today()
    if dry_run:
        _send(day, dry_run=True)
        return
    # Every app server may run this from cron at the same moment: one run does the work.
    with lease("reminders") as taken:
        if taken is not None:
            click.echo(_("Reminders are being sent by another run (%(holder)s, since %(when)s "
                         "UTC); this run does nothing.", holder=taken.holder,
                         when=f"{taken.taken_at:%Y-%m-%d %H:%M}"))
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
            click.echo(ngettext("Rollouts: %(num)d person started a wave.",
                                "Rollouts: %(num)d people started a wave.", started))
    rules = rules_from(config, day)
    try:
        mailer = mailer_for(config)
    except MailError as exc:
        raise click.ClickException(str(exc)) from None
    with PhaseBars({"mails": _("Sending reminders")}) as bars:
        outcome = send_reminders(mailer, today=day,
                                 days_before=int(config["REMINDER_DAYS_BEFORE"]),
                                 sales=rules, dry_run=dry_run,
                                 progress=bars)
    if dry_run:
        for planned in outcome.planned:
            click.echo(_("would send to %(address)s: %(subject)s", address=planned.mail.to,
                         subject=planned.mail.subject))
        click.echo(_("Dry run for %(day)s: %(mails)s to send; %(skipped)s. Nothing was sent.",
                     day=day.isoformat(), mails=_mails(len(outcome.planned)),
                     skipped=_skipped(outcome.skipped)))
        _report_chat(post_to_chat(day, rules, dry_run=True), dry_run=True)
        return
    digests = sum(p.is_digest for p in outcome.sent)
    smtp = bool(config.get("SMTP_URL"))
    counts = {"day": day.isoformat(), "mails": _mails(len(outcome.sent)),
              "learners": len(outcome.sent) - digests,
              "digests": ngettext("%(num)d manager digest", "%(num)d manager digests", digests),
              "skipped": _skipped(outcome.skipped)}
    if smtp:
        click.echo(_("Reminders for %(day)s: sent %(mails)s (%(learners)d to learners, "
                     "%(digests)s); %(skipped)s.", **counts))
    else:
        click.echo(_("Reminders for %(day)s: logged %(mails)s (%(learners)d to learners, "
                     "%(digests)s); %(skipped)s.", **counts))
    if not smtp and outcome.sent:
        click.echo(_("LMS_SMTP_URL is not set, so the mails were written to the application "
                     "log."))
    # After the mails, whatever became of them; a chat failure is reported, and changes
    # neither the mails nor the exit code (the next run tries again).
    try:
        chat = post_to_chat(day, rules)
    except BaseException:
        if outcome.error:  # a crash in team chat must not hide that the mails failed
            click.echo(_("Error: %(error)s", error=outcome.error), err=True)
        raise
    _report_chat(chat, dry_run=False)
    if outcome.error:
        raise click.ClickException(outcome.error)


def _report_chat(chat: ChatOutcome, *, dry_run: bool) -> None:
    if dry_run:
        for post in chat.planned:
            click.echo(_("would post to %(team)s (%(service)s%(channel)s): %(title)s",
                         team=post.team, service=SERVICES[post.service],
                         channel=f", {post.channel}" if post.channel else "",
                         title=post.title))
        return
    if chat.delivered or chat.skipped or chat.waiting or chat.errors:
        click.echo(_("Team chat: %(delivered)s, %(skipped)s, %(waiting)s.",
                     delivered=ngettext("%(num)d message posted", "%(num)d messages posted",
                                        chat.delivered),
                     skipped=ngettext("%(num)d posted before", "%(num)d posted before",
                                      chat.skipped),
                     waiting=ngettext("%(num)d waiting for a retry",
                                      "%(num)d waiting for a retry", chat.waiting)))
    for team, channel, error in chat.errors:
        click.echo(_("Team chat: posting to %(team)s%(channel)s failed: %(error)s", team=team,
                     channel=f" ({channel})" if channel else "", error=error), err=True)


def _mails(n: int) -> str:
    return ngettext("%(num)d mail", "%(num)d mails", n)


def _skipped(n: int) -> str:
    return ngettext("skipped %(num)d reminder already sent",
                    "skipped %(num)d reminders already sent", n)
