"""``lms report ...``: the reports on the command line, the same figures as the pages.

The command line is the operator's: it sees every team. ``--team NAME`` narrows a report to that
team and the teams below it.
"""

from __future__ import annotations

import json
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from lms.analytics.readiness import rules_from_config
from lms.analytics.readiness_sql import readiness_report
from lms.analytics.report_table import report_csv
from lms.clock import local_today
from lms.i18n import format_number
from lms.safeyaml import quote
from lms.security import OutOfScope, ScopeChoice, choose_scope


@click.group("report")
def report_group() -> None:
    """Reports for managers, as a table, CSV or JSON."""


def cli_scope(team_name: str | None) -> ScopeChoice:
    """The command line sees every team; ``--team NAME`` narrows to that team and below."""
    try:
        return choose_scope(None, team_name, by_name=True)
    except OutOfScope:
        click.echo(_("Error: no active team named %(team)s.", team=quote(team_name)), err=True)
        sys.exit(1)


@report_group.command("readiness")
@click.option("--team", "team_name", metavar="NAME",
              help="Only this team and the teams below it.")
@click.option("--format", "output", type=click.Choice(["table", "csv", "json"]),
              default="table", show_default=True,
              help="table for people, csv for spreadsheets, json: one record per person.")
@with_appcontext
def readiness_command(team_name: str | None, output: str) -> None:
    """The readiness report: one row per salesperson."""
    report = readiness_report(cli_scope(team_name).scope, rules_from_config(current_app.config),
                              local_today())
    if output == "json":
        click.echo(json.dumps([r.record() for r in report.rows], ensure_ascii=False, indent=2))
    elif output == "csv":
        click.echo(report_csv(report.rows), nl=False)
    else:
        click.echo(table(report))


def table(report) -> str:  # noqa: ANN001 - a ReadinessReport
    header = (_("Name"), _("Team"), _("Assigned"), _("Completed"), _("Best score"),
              _("Readiness"), _("Status"), _("Overdue"), _("Last activity"))
    lines = [(r.name, r.team or "—", str(r.figures.assigned), str(r.figures.completed),
              _one_decimal(r.assessment.score, "%"), _one_decimal(r.assessment.index),
              r.assessment.status.label,
              str(r.figures.overdue),
              r.last_activity.strftime("%Y-%m-%d") if r.last_activity else "—")
             for r in report.rows]
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]
    numeric = {2, 3, 4, 5, 7}

    def render(row: tuple[str, ...]) -> str:
        return "  ".join(cell.rjust(w) if i in numeric else cell.ljust(w)
                         for i, (cell, w) in enumerate(zip(row, widths, strict=True))).rstrip()

    s = report.summary
    counts = ", ".join(f"{n} {status.label.lower()}" for status, n in s.by_status.items() if n)
    out = [render(header), render(tuple("-" * w for w in widths))]
    out += [render(line) for line in lines]
    out.append("")
    out.append(_("%(people)s: %(counts)s. Average readiness %(average)s, %(overdue)s. "
                 "As of %(day)s.",
                 people=ngettext("%(num)d person", "%(num)d people", s.people),
                 counts=counts or _("none"),
                 average="—" if s.average_index is None
                 else format_number(round(s.average_index, 1)),
                 overdue=ngettext("%(num)d overdue item", "%(num)d overdue items",
                                  s.overdue_items),
                 day=report.today.isoformat()))
    return "\n".join(out)


def _one_decimal(value: float | None, suffix: str = "") -> str:
    """A figure with exactly one decimal (a column of them lines up); a dash for no value."""
    return "—" if value is None else format_number(value, 1) + suffix
