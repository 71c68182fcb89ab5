"""``lms xapi export`` (statements as JSON lines) and ``lms xapi push`` (to the LRS, for cron)."""

from __future__ import annotations

import json
import sys
from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from lms.maintenance.leases import lease
from lms.progress import PhaseBars
from lms.xapi import outbox
from lms.xapi.derive import current_site, parse_since, statements


@click.group("xapi")
def xapi_cli() -> None:
    """Learning records as xAPI statements: export them, or push them to an LRS."""


def _since(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_since(value, current_app.config["TIMEZONE"])
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


@xapi_cli.command("export")
@click.option("--since", callback=_since, metavar="DATE",
              help="Only records since this day (YYYY-MM-DD, from midnight in LMS_TIMEZONE) or "
                   "moment (ISO 8601 with a time zone); default: everything.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default="-",
              help="Write to this file instead of standard output.")
@with_appcontext
def export_command(since: datetime | None, output: str) -> None:
    """Write every learner's statements as JSON lines, oldest first."""
    site = current_site()
    written = skipped = 0
    with click.open_file(output, "w", encoding="utf-8", atomic=output != "-") as out, \
            PhaseBars({"statements": _("Exporting statements")}) as bars:
        for derived in statements(site, None, since=since, progress=bars):
            if derived.problems:
                skipped += 1
                current_app.logger.warning("xAPI statement %s left out: %s",
                                           derived.statement.get("id"),
                                           "; ".join(derived.problems))
                continue
            out.write(json.dumps(derived.statement, ensure_ascii=False,
                                 separators=(",", ":")) + "\n")
            written += 1
    message = ngettext("%(num)d statement written.", "%(num)d statements written.", written)
    if skipped:
        message += " " + ngettext("%(num)d did not validate and was left out (see the log).",
                                  "%(num)d did not validate and were left out (see the log).",
                                  skipped)
    click.echo(message, err=True)
    if skipped:
        sys.exit(1)


@xapi_cli.command("push")
@click.option("--retry-failed", is_flag=True,
              help="First put the statements the LRS refused back in line.")
@with_appcontext
def push_command(retry_failed: bool) -> None:
    """Queue new statements in the outbox and deliver them to the LRS (LMS_XAPI_LRS_URL).
    For cron, on every server if you like: one run does the work."""
    client = outbox.client_from_config()
    if client is None:
        raise click.ClickException(_("LMS_XAPI_LRS_URL is not set: there is no LRS to push "
                                     "to. See docs/operations.md."))
    with lease("xapi-push") as taken:
        if taken is not None:
            click.echo(_("Statements are being pushed by another run (%(holder)s, since "
                         "%(when)s UTC); this run does nothing.", holder=taken.holder,
                         when=f"{taken.taken_at:%Y-%m-%d %H:%M}"))
            return
        if retry_failed:
            again = outbox.retry_failed()
            click.echo(ngettext("%(num)d refused statement is back in line.",
                                "%(num)d refused statements are back in line.", again))
        labels = {"fill": _("Queueing statements"), "send": _("Sending statements")}
        with PhaseBars(labels) as bars:
            filled = outbox.fill(current_site(), progress=bars)
            report = outbox.push(client, progress=bars)
    click.echo(_("xAPI: %(added)s, %(delivered)s, %(waiting)s.",
                 added=ngettext("%(num)d new statement queued", "%(num)d new statements queued",
                                filled.added),
                 delivered=ngettext("%(num)d delivered", "%(num)d delivered", report.delivered),
                 waiting=ngettext("%(num)d waiting", "%(num)d waiting", report.waiting)))
    for statement_id, message in report.failed:
        click.echo(_("Refused by the LRS: %(id)s: %(message)s", id=statement_id,
                     message=message), err=True)
    if filled.invalid:
        click.echo(ngettext("%(num)d statement did not validate and was not queued (see the "
                            "log).", "%(num)d statements did not validate and were not queued "
                            "(see the log).", len(filled.invalid)), err=True)
    if report.error:
        raise click.ClickException(report.error)
    if report.failed or filled.invalid:
        sys.exit(1)
