"""``lms sales ...``: import a CRM export, list the imports, undo one. Thin shells over
``lms.sales.importer``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from lms.errors import DomainError
from lms.extensions import db
from lms.inputs import ID
from lms.progress import PhaseBars
from lms.sales.parsing import currency_code
from lms.sales.presets import PRESETS


@click.group("sales")
def sales_cli() -> None:
    """CRM sales data: import, log, undo."""


def _currency(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    try:
        return currency_code(value) if value is not None else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None


@sales_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--preset", default="generic", show_default=True,
              help=f"{' | '.join(PRESETS)} | PATH.yaml: which columns hold what.")
@click.option("--dry-run", is_flag=True, help="Check the file and count what would change; "
              "write nothing.")
@click.option("--dayfirst/--monthfirst", "dayfirst", default=None,
              help="How to read dates such as 03/01/2026 (default: detect from the file).")
@click.option("--decimal", type=click.Choice(["comma", "point"]), default=None,
              help="The decimal mark of amounts such as 1,234 (default: detect).")
@click.option("--currency", default=None, metavar="CODE", callback=_currency,
              help="Currency of rows that state none (default: the preset's, else EUR).")
@click.option("--satisfaction-scale", type=click.Choice(["5", "10"]), default=None,
              help="Scale of satisfaction scores when the file has no scale column.")
@click.option("--encoding", default="utf-8", show_default=True,
              help="Text encoding, if the file is not UTF-8 (e.g. cp1252).")
@with_appcontext
def import_command(file: Path, preset: str, dry_run: bool, dayfirst: bool | None,
                   decimal: str | None, currency: str | None, satisfaction_scale: str | None,
                   encoding: str) -> None:
    """Import deals from a CRM export FILE: all or nothing, upserted by the CRM's deal id."""
    from lms.sales.importer import ImportOptions, import_sales

    options = ImportOptions(dayfirst=dayfirst, decimal=decimal,
                            currency=currency,
                            satisfaction_scale=int(satisfaction_scale) if satisfaction_scale
                            else None, encoding=encoding)
    checking, writing = _("Checking"), _("Writing")
    width = max(len(checking), len(writing))
    bars = PhaseBars({"checking": checking.ljust(width), "writing": writing.ljust(width)})
    try:
        report = import_sales(file, preset, options, dry_run=dry_run, progress=bars)
        bars.close()
        if report.ok and not dry_run:
            db.session.commit()
    except (DomainError, LookupError) as exc:
        bars.close()
        db.session.rollback()
        _fail(str(getattr(exc, "message", exc)))
    if report.formats:
        f = report.formats
        decimal = {"comma": _("comma"), "point": _("point")}.get(f.decimal, f.decimal)
        if f.dayfirst:
            read_as = _("Read as: %(delimiter)s-separated; decimal %(decimal)s "
                        "(%(decimal_reason)s); dates day-first (%(date_reason)s).",
                        delimiter=f.delimiter, decimal=decimal,
                        decimal_reason=f.decimal_reason, date_reason=f.dayfirst_reason)
        else:
            read_as = _("Read as: %(delimiter)s-separated; decimal %(decimal)s "
                        "(%(decimal_reason)s); dates month-first (%(date_reason)s).",
                        delimiter=f.delimiter, decimal=decimal,
                        decimal_reason=f.decimal_reason, date_reason=f.dayfirst_reason)
        click.echo(read_as)
    for error in report.errors:
        click.echo(f"{file}:{error.line}: " + (f"{error.column}: " if error.column else "")
                   + error.message, err=True)
    if report.error_count > len(report.errors):
        more = report.error_count - len(report.errors)
        click.echo(ngettext("... and %(num)d more problem.", "... and %(num)d more problems.",
                            more), err=True)
    if report.unmatched and report.ok:
        click.echo(_("%(deals)s of %(owners)s match no person yet; they are kept and linked "
                     "when the person gets that email, CRM id or CRM name:",
                     deals=ngettext("%(num)d deal", "%(num)d deals", report.unmatched_rows),
                     owners=ngettext("%(num)d owner", "%(num)d owners",
                                     len(report.unmatched))))
        for owner in report.unmatched[:20]:
            click.echo(f"  {owner.label}: {owner.rows}")
        if len(report.unmatched) > 20:
            click.echo("  " + _("... and %(num)d more", num=len(report.unmatched) - 20))
    click.echo(_("Rows read: %(read)d, added: %(added)d, updated: %(updated)d, unchanged: "
                 "%(unchanged)d, rejected: %(rejected)d", read=report.rows_read,
                 added=report.added, updated=report.updated, unchanged=report.unchanged,
                 rejected=report.rejected))
    if not report.ok:
        _fail(_("%(problems)s in %(rows)s; nothing was imported.",
                problems=ngettext("%(num)d problem", "%(num)d problems", report.error_count),
                rows=ngettext("%(num)d row", "%(num)d rows", report.rejected)))
    if dry_run:
        click.echo(_("Dry run: nothing was written (the counts are what an import would do)."))
    else:
        click.echo(_("Recorded as import #%(id)d (undo: lms sales undo %(id)d).",
                     id=report.import_id))


@sales_cli.command("imports")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000),
              help="How many imports to list.")
@with_appcontext
def imports_command(limit: int) -> None:
    """The import log, newest first."""
    from lms.sales.importer import list_imports

    rows = list_imports(limit)
    if not rows:
        click.echo(_("No sales imports yet."))
        return
    when, by, preset, read = _("when (UTC)"), _("by"), _("preset"), _("read")
    added, updated, unchanged, source = _("added"), _("updated"), _("unchanged"), _("source")
    click.echo(f"{'#':>5}  {when:<16}  {by:<24}  {preset:<10}  {read:>8}  {added:>8}  "
               f"{updated:>8}  {unchanged:>9}  {source}")
    for r in rows:
        who = r.imported_by.email if r.imported_by else _("command line / api")
        state = ("  " + _("(undone %(when)s)", when=f"{r.undone_at:%Y-%m-%d %H:%M}")
                 if r.undone_at else "")
        click.echo(f"{r.id:>5}  {r.started_at:%Y-%m-%d %H:%M}  {who[:24]:<24}  "
                   f"{r.preset[:10]:<10}  {r.rows_read:>8}  {r.added:>8}  {r.updated:>8}  "
                   f"{r.unchanged:>9}  {r.source}{state}")


@sales_cli.command("undo")
@click.argument("import_id", type=ID)
@with_appcontext
def undo_command(import_id: int) -> None:
    """Undo import IMPORT_ID: delete the deals it added, restore those it changed."""
    from lms.sales.importer import undo_import

    try:
        result = undo_import(import_id)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        _fail(exc.message)
    click.echo(_("Import #%(id)d undone: %(deleted)s, %(restored)d restored to their "
                 "previous values.", id=import_id,
                 deleted=ngettext("%(num)d deal deleted", "%(num)d deals deleted",
                                  result.deleted), restored=result.restored))


def _fail(message: str) -> None:
    click.echo(_("Error: %(message)s", message=message), err=True)
    sys.exit(1)
