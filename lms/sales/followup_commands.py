"""``lms report follow-ups``: the follow-ups and complaints lists of the pages, on the command
line (which sees every team; ``--team NAME`` narrows to that team and those below it)."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from lms.analytics.commands import cli_scope
from lms.analytics.csvsafe import csv_text
from lms.clock import local_today
from lms.i18n import format_money
from lms.sales.worklist import FOLLOW_UP, WorkItem, rules_from, team_worklist


def _when(item: WorkItem) -> str:
    if item.kind == FOLLOW_UP:
        if item.days < 0:
            return ngettext("%(num)d day overdue", "%(num)d days overdue", -item.days)
        if item.days == 0:
            return _("last day today")
        return ngettext("%(num)d day left", "%(num)d days left", item.days)
    return ngettext("open %(num)d day", "open %(num)d days", item.days)


def _kind(item: WorkItem) -> str:
    return _("Follow-up") if item.kind == FOLLOW_UP else _("Complaint")


def followups_csv(items: list[WorkItem]) -> str:
    """A spreadsheet for people: headings in the reader's language, values as data."""
    header = [_("Kind"), _("Salesperson"), _("Team"), _("Customer"), _("Product"), _("Amount"),
              _("Currency"), _("Deal"), _("Closed"), _("Follow up by"), _("Complaint since"),
              _("Days left"), _("Days open")]
    return csv_text(header, ([
        _kind(i), i.person, i.team, i.customer, i.product, float(i.amount), i.currency,
        i.crm_id, i.closed_on, i.since if i.kind == FOLLOW_UP else None, i.complaint_on,
        i.days if i.kind == FOLLOW_UP else None, None if i.kind == FOLLOW_UP else i.days,
    ] for i in items))


def followups_table(items: list[WorkItem]) -> str:
    header = (_("Kind"), _("Salesperson"), _("Customer"), _("Product"), _("Amount"), _("Deal"),
              _("Date"), _("Status"))
    lines = [(_kind(i), i.person, i.customer, i.product, format_money(i.amount, i.currency),
              i.crm_id, i.since.isoformat(), _when(i)) for i in items]
    widths = [max(len(row[c]) for row in [header, *lines]) for c in range(len(header))]

    def render(row: tuple[str, ...]) -> str:
        return "  ".join(cell.rjust(w) if c == 4 else cell.ljust(w)
                         for c, (cell, w) in enumerate(zip(row, widths, strict=True))).rstrip()

    return "\n".join([render(header), render(tuple("-" * w for w in widths)),
                      *(render(line) for line in lines)])


@click.command("follow-ups")
@click.option("--team", "team_name", metavar="NAME", help="Only this team and those below it.")
@click.option("--format", "output", type=click.Choice(["table", "csv", "json"]),
              default="table", show_default=True,
              help="json and csv: one record per follow-up or complaint.")
@with_appcontext
def followups_command(team_name: str | None, output: str) -> None:
    """Follow-ups to make and open complaints, per salesperson, oldest first (as on the
    Follow-ups page)."""
    scope = cli_scope(team_name).scope
    rules = rules_from(current_app.config, local_today())
    work = team_worklist(scope, rules)
    items = [*work.follow_ups, *work.complaints]
    if output == "json":
        click.echo(json.dumps({"today": rules.today.isoformat(),
                               "follow_up_days": rules.follow_up_days,
                               "follow_ups": [i.record() for i in work.follow_ups],
                               "complaints": [i.record() for i in work.complaints]},
                              ensure_ascii=False, indent=2))
    elif output == "csv":
        click.echo(followups_csv(items), nl=False)
    else:
        if items:
            click.echo(followups_table(items))
            click.echo("")
        click.echo(_("%(follow_ups)s (%(overdue)d overdue) and %(complaints)s, as of %(day)s.",
                     follow_ups=ngettext("%(num)d follow-up to make",
                                         "%(num)d follow-ups to make", len(work.follow_ups)),
                     overdue=len(work.overdue),
                     complaints=ngettext("%(num)d open complaint", "%(num)d open complaints",
                                         len(work.complaints)),
                     day=rules.today.isoformat()))
