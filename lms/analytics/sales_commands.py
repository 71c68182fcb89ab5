"""``lms report sales`` and ``lms report impact``: the sales pages' figures on the command line.

The command line is the operator's: it sees every team; ``--team NAME`` narrows a report to that
team and the teams below it. Both join the ``report`` group of lms.analytics.commands.
"""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from lms.analytics import impact as impact_service
from lms.analytics.commands import cli_scope
from lms.analytics.effect_report import effect_json, effect_line, effects_json, effects_text
from lms.analytics.impact_report import text_report, to_dict
from lms.analytics.impact_training import SKILL
from lms.analytics.measures import (
    MEASURE_KEYS,
    MEASURES,
    PersonMeasures,
    format_value,
    performance_csv,
)
from lms.analytics.measures import sales_performance as performance
from lms.analytics.training_effect import for_params
from lms.clock import local_today
from lms.errors import DomainError
from lms.inputs import DAY


def _fail(message: str) -> None:
    click.echo(_("Error: %(message)s", message=message), err=True)
    sys.exit(1)


def sales_record(row: PersonMeasures, start: date, last: date) -> dict:
    return {"id": row.user_id, "name": row.name, "email": row.email, "team": row.team,
            "active": row.active, "from": start.isoformat(), "to": last.isoformat(),
            "closed_deals": row.closed_deals, **row.values}


def sales_table(rows: list[PersonMeasures]) -> str:
    header = (_("Name"), _("Team"), _("Closed"), *(str(m.label) for m in MEASURES))
    lines = [(r.name, r.team or "—", str(r.closed_deals),
              *(format_value(k, r.values[k]) for k in MEASURE_KEYS)) for r in rows]
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]

    def render(row: tuple[str, ...]) -> str:
        return "  ".join(cell.ljust(w) if i < 2 else cell.rjust(w)
                         for i, (cell, w) in enumerate(zip(row, widths, strict=True))).rstrip()

    return "\n".join([render(header), render(tuple("-" * w for w in widths)),
                      *(render(line) for line in lines)])


@click.command("sales")
@click.option("--from", "start", type=DAY, metavar="DATE",
              help="First day counted (default: 89 days before --to).")
@click.option("--to", "last", type=DAY, metavar="DATE",
              help="Last day counted (default: today).")
@click.option("--team", "team_name", metavar="NAME", help="Only this team and those below it.")
@click.option("--format", "output", type=click.Choice(["table", "csv", "json"]),
              default="table", show_default=True, help="json and csv: one record per person.")
@with_appcontext
def sales_command(start: date | None, last: date | None, team_name: str | None,
                  output: str) -> None:
    """The ten sales measures per salesperson over a period (deals by their close date)."""
    last_day = last or local_today()
    first_day = start or last_day - timedelta(days=89)
    if first_day > last_day:
        _fail(_("--from must be on or before --to."))
    scope = cli_scope(team_name).scope
    rows = performance(scope, first_day, last_day + timedelta(days=1),
                       follow_up_days=int(current_app.config["FOLLOW_UP_DAYS"]),
                       as_of=local_today())
    if output == "json":
        click.echo(json.dumps([sales_record(r, first_day, last_day) for r in rows],
                              ensure_ascii=False, indent=2))
    elif output == "csv":
        click.echo(performance_csv(rows, first_day, last_day), nl=False)
    else:
        click.echo(sales_table(rows))
        click.echo("\n" + ngettext("%(num)d salesperson; deals closed %(start)s to %(end)s.",
                                   "%(num)d salespeople; deals closed %(start)s to %(end)s.",
                                   len(rows), start=first_day.isoformat(),
                                   end=last_day.isoformat()))


@click.command("impact")
@click.option("--measure", default="win_rate", show_default=True,
              type=click.Choice([*MEASURE_KEYS, SKILL]),
              help="The measure to analyse (skill_rating: the mean coaching rating, once "
                   "observations have been recorded).")
@click.option("--training-measure", "training_measure", default="score", show_default=True,
              metavar="MEASURE",
              help="What stands for how well trained: score, retention (booster answers "
                   "right), recall (predicted recall), skill_rating or skill_rating:SKILL_ID.")
@click.option("--window", "window_days", default=90, show_default=True,
              type=click.IntRange(30, 365), metavar="DAYS",
              help="Days after (and before) training, 30 to 365.")
@click.option("--path", "path_slug", metavar="SLUG", help="Training = completing this path.")
@click.option("--module", "module_slug", metavar="SLUG",
              help="Training = completing this module (passing its quiz).")
@click.option("--team", "team_name", metavar="NAME", help="Only this team and those below it.")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="json lists every person's data behind the figures.")
@with_appcontext
def impact_command(measure: str, training_measure: str, window_days: int,
                   path_slug: str | None, module_slug: str | None, team_name: str | None,
                   output: str) -> None:
    """How training scores relate to sales after training (correlation, not proof of cause).
    Without --path or --module: the learning path most people completed."""
    if path_slug and module_slug:
        _fail(_("give --path or --module, not both."))
    training = (("path", path_slug) if path_slug else ("module", module_slug) if module_slug
                else impact_service.default_training())
    if training is None:
        _fail(_("there is no learning path yet; give --module SLUG."))
    choice = cli_scope(team_name)
    scope, team = choice.scope, choice.label if choice.team_id else None
    try:
        params = impact_service.params_from(
            current_app.config, kind=training[0], slug=training[1], measure=measure,
            window_days=window_days, today=local_today(), training_measure=training_measure)
        result = impact_service.run(scope, params)
    except DomainError as exc:
        _fail(exc.message)
    effects = for_params(scope, params)
    waves = effects.waves if effects else {}
    if output == "json":
        payload = to_dict(result, team=team, waves=waves)
        # The causal estimates cover the ten sales measures, not the skill rating.
        payload["effect"] = effect_json(effects, measure) if measure in MEASURE_KEYS else None
        payload["effects"] = effects_json(effects)
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        if effects is not None:
            if measure in MEASURE_KEYS:
                click.echo(effect_line(effects, measure, result.item_title))
            click.echo("\n".join(effects_text(effects, measure)) + "\n")
        click.echo(text_report(result, team=team), nl=False)
