"""``lms report retention``: retention from spaced boosters per person and module, the same
figures as the readiness drill-down."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.analytics.commands import cli_scope
from lms.analytics.csvsafe import csv_text
from lms.boosters.report import retention_in_scope, threshold
from lms.extensions import db
from lms.i18n import format_percent
from lms.learning.catalog import live_items, shown_title
from lms.models import ContentKind, Team, User
from lms.security import scope_condition

FIELDS = ("name", "email", "team", "module", "cards", "answered_60_days", "correct_60_days",
          "correct_share", "predicted_recall", "at_risk")


def retention_records(team_name: str | None) -> list[dict]:
    """One record per person and module with booster cards, by name and module title."""
    scope = cli_scope(team_name).scope
    figures = retention_in_scope(scope)
    people = db.session.execute(
        select(User.id, User.name, User.email, Team.name).outerjoin(Team, Team.id == User.team_id)
        .where(User.active.is_(True), scope_condition(scope))
        .order_by(func.lower(User.name), User.id)).all()
    titles = {m.id: shown_title(m) for m in live_items(ContentKind.MODULE).values()}
    limit = threshold()
    out = []
    for user_id, name, email, team in people:
        mine = figures.get(user_id, {})
        for module_id in sorted((m for m in mine if m in titles),
                                key=lambda m: titles[m].lower()):
            kept = mine[module_id]
            out.append({"name": name, "email": email, "team": team,
                        "module": titles[module_id], **kept.record(),
                        "at_risk": kept.at_risk(limit)})
    return out


@click.command("retention")
@click.option("--team", "team_name", metavar="NAME",
              help="Only this team and the teams below it.")
@click.option("--format", "output", type=click.Choice(["table", "csv", "json"]),
              default="table", show_default=True,
              help="table for people, csv for spreadsheets, json: one record per person and "
                   "module.")
@with_appcontext
def retention_command(team_name: str | None, output: str) -> None:
    """Retention from boosters: answered correctly (60 days) and predicted recall, per
    salesperson and module."""
    records = retention_records(team_name)
    if output == "json":
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    if output == "csv":
        click.echo(csv_text(FIELDS, ([r[f] for f in FIELDS] for r in records)), nl=False)
        return
    if not records:
        click.echo(_("No booster answers or cards yet."))
        return
    header = (_("Name"), _("Team"), _("Module"), _("Answered correctly (60 days)"),
              _("Predicted recall now"), _("At risk"))
    lines = [(r["name"], r["team"] or "—", r["module"],
              format_percent(r["correct_share"], fraction=True),
              format_percent(r["predicted_recall"], fraction=True),
              _("yes") if r["at_risk"] else "") for r in records]
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *lines]:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
                   .rstrip())
