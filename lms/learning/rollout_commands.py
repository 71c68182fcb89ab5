"""``lms rollouts start``: give the people whose wave has come their assignment.

``lms reminders send`` does the same first, so one daily cron line keeps rollouts moving; this
command is for sites that send no reminders.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from lms.clock import local_today
from lms.extensions import db
from lms.learning.rollouts import start_due_waves


@click.group("rollouts")
def rollouts_cli() -> None:
    """Rollouts of training in waves."""


@rollouts_cli.command("start")
@with_appcontext
def start_command() -> None:
    """Start every wave whose day has come (safe to run any number of times)."""
    started = start_due_waves(local_today())
    db.session.commit()
    click.echo(ngettext("%(num)d person started a wave today.",
                        "%(num)d people started a wave today.", started)
               if started else _("No wave starts today."))
