"""``lms sales sync hubspot|salesforce``: a thin shell over ``lms.sales.crm_sync``, for cron on
every app server (a lease lets one run do the work)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from lms.errors import DomainError
from lms.maintenance.leases import lease
from lms.sales.commands import _fail
from lms.sales.crm_sync import CONNECTIONS, LABELS, sync


@click.command("sync")
@click.argument("connection", type=click.Choice(CONNECTIONS))
@with_appcontext
def sync_command(connection: str) -> None:
    """Import the deals CONNECTION changed since its last successful sync (all or nothing,
    one undoable import per run)."""
    with lease(f"crm-sync-{connection}") as taken:
        if taken is not None:
            click.echo(_("%(crm)s is being synced by another run (%(holder)s, since %(when)s "
                         "UTC); this run does nothing.", crm=LABELS[connection],
                         holder=taken.holder, when=f"{taken.taken_at:%Y-%m-%d %H:%M}"))
            return
        try:
            outcome = sync(connection)
        except DomainError as exc:
            _fail(exc.message)
    report = outcome.report
    if report is None:
        click.echo(_("%(crm)s: no deal changed since the last sync.", crm=LABELS[connection]))
        return
    click.echo(ngettext("%(crm)s: %(num)d deal read", "%(crm)s: %(num)d deals read",
                        outcome.deals, crm=LABELS[connection]) + "; " +
               _("added: %(added)d, updated: %(updated)d, unchanged: %(unchanged)d.",
                 added=report.added, updated=report.updated, unchanged=report.unchanged))
    click.echo(_("Recorded as import #%(id)d (undo: lms sales undo %(id)d).",
                 id=report.import_id))
