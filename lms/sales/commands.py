"""``lms sales ...``: import a CRM export, list the imports, undo one. Thin shells over
``lms.sales.importer``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

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
    bars = PhaseBars({"checking": "Checking", "writing": "Writing "})
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
        click.echo(f"Read as: {f.delimiter}-separated; decimal {f.decimal} "
                   f"({f.decimal_reason}); dates {'day' if f.dayfirst else 'month'}-first "
                   f"({f.dayfirst_reason}).")
    for error in report.errors:
        click.echo(f"{file}:{error.line}: " + (f"{error.column}: " if error.column else "")
                   + error.message, err=True)
    if report.error_count > len(report.errors):
        click.echo(f"... and {report.error_count - len(report.errors)} more problems.", err=True)
    if report.unmatched and report.ok:
        click.echo(f"{report.unmatched_rows} deal(s) of {len(report.unmatched)} owner(s) match "
                   "no person yet; they are kept and linked when the person gets that email, "
                   "CRM id or CRM name:")
        for owner in report.unmatched[:20]:
            click.echo(f"  {owner.label}: {owner.rows}")
        if len(report.unmatched) > 20:
            click.echo(f"  ... and {len(report.unmatched) - 20} more")
    click.echo(f"Rows read: {report.rows_read}, added: {report.added}, updated: "
               f"{report.updated}, unchanged: {report.unchanged}, rejected: {report.rejected}")
    if not report.ok:
        _fail(f"{report.error_count} problem(s) in {report.rejected} row(s); nothing was "
              "imported.")
    if dry_run:
        click.echo("Dry run: nothing was written (the counts are what an import would do).")
    else:
        click.echo(f"Recorded as import #{report.import_id} (undo: lms sales undo "
                   f"{report.import_id}).")


@sales_cli.command("imports")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000),
              help="How many imports to list.")
@with_appcontext
def imports_command(limit: int) -> None:
    """The import log, newest first."""
    from lms.sales.importer import list_imports

    rows = list_imports(limit)
    if not rows:
        click.echo("No sales imports yet.")
        return
    click.echo(f"{'#':>5}  {'when (UTC)':<16}  {'by':<24}  {'preset':<10}  {'read':>8}  "
               f"{'added':>8}  {'updated':>8}  {'unchanged':>9}  source")
    for r in rows:
        who = r.imported_by.email if r.imported_by else "command line / api"
        state = f"  (undone {r.undone_at:%Y-%m-%d %H:%M})" if r.undone_at else ""
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
    click.echo(f"Import #{import_id} undone: {result.deleted} deal(s) deleted, "
               f"{result.restored} restored to their previous values.")


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)
