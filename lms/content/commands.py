"""``lms content sync``, ``import-gift`` and ``export-gift``: added to the ``content`` group."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import yaml
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from lms import safeyaml
from lms.coaching.rubrics import sync_rubrics
from lms.content.checkcmd import content_cli
from lms.content.gift import GiftExportError, parse_gift, quiz_to_gift, write_quiz_yaml
from lms.content.links import is_valid_slug
from lms.content.store import Change, SyncReport, get_item, sync_content
from lms.extensions import db
from lms.i18n import _l
from lms.maintenance.commands import needs_no_schema
from lms.models import ContentKind
from lms.progress import PhaseBars, Progress, quiet
from lms.safeyaml import quote

#: How the sync lists each change, in the reader's language.
CHANGE_WORDS = {"created": _l("created"), "updated": _l("updated"), "reverted": _l("reverted"),
                "restored": _l("restored")}


def content_dirs() -> tuple[Path, Path, Path]:
    content = Path(current_app.config["CONTENT_DIR"])
    return content / "modules", Path(current_app.config["QUIZ_DIR"]), content / "paths"


def sync_configured_content(progress: Progress = quiet) -> SyncReport:
    """Sync the configured content folders (`lms content sync`, and `lms demo` on a database
    that has none yet), coaching rubrics included. Flushes; the caller commits."""
    modules_dir, quiz_dir, paths_dir = content_dirs()
    report = sync_content(modules_dir, quiz_dir, paths_dir,
                          tuple(current_app.config["CONTENT_CATEGORIES"]), progress)
    rubrics = sync_rubrics(Path(current_app.config["CONTENT_DIR"]) / "rubrics")
    for change, slugs in ((Change.CREATED, rubrics.created), (Change.UPDATED, rubrics.updated),
                          (Change.UNCHANGED, rubrics.unchanged)):
        for slug in slugs:
            report.add(change, f"rubric:{slug}")
    report.retired += [f"rubric:{slug}" for slug in rubrics.retired]
    report.skipped += rubrics.skipped
    return report


@content_cli.command("sync")
@click.option("--quiet", is_flag=True, help="Print only the summary.")
@with_appcontext
def sync_command(quiet: bool) -> None:
    """Store every module, quiz and path as a version in the database.

    Unchanged files create nothing; changed files create a new version; deleted files retire
    their item (its history stays). Files with errors are skipped and reported, and the command
    then exits with status 1.
    """
    with PhaseBars({"files": _("Syncing content")}) as bars:
        report = sync_configured_content(bars)
    db.session.commit()
    if not quiet:
        for change, labels in report.changes.items():
            if change.value != "unchanged":
                for label in labels:
                    click.echo(f"  {str(CHANGE_WORDS.get(change.value, change.value)):<9} {label}")
        retired = _("retired")
        for label in report.retired:
            click.echo(f"  {retired:<9} {label}")
    for problem in report.skipped:
        click.echo(_("skipped: %(problem)s", problem=problem), err=True)
    click.echo(_("Content synced: %(summary)s.", summary=report.summary()))
    if report.skipped:
        sys.exit(1)


@content_cli.command("export")
@click.argument("root", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def export_command(root: Path) -> None:
    """Write every live module, quiz, path and image in the database to files under DIR
    (content/modules, content/paths, quizzes): the browser's edits, back for git."""
    from lms.content.export import export_content

    try:
        with PhaseBars({"files": _("Exporting content")}) as bars:
            report = export_content(root, bars)
    except OSError as exc:
        _fail(_("cannot write under %(folder)s: %(reason)s.", folder=root,
                reason=exc.strerror or exc))
    written, not_live = _("written"), _("not live")
    for path in report.written:
        click.echo(f"  {written:<9} {path}")
    for path in report.not_live:
        click.echo(f"  {not_live:<9} "
                   + _("%(path)s (retired or never synced: delete it if DIR is in git)",
                       path=path))
    click.echo(_("Content exported to %(folder)s: %(written)d written, %(unchanged)d "
                 "unchanged.", folder=root, written=len(report.written),
                 unchanged=report.unchanged))


# Writes a quiz file; the database is not involved.
@needs_no_schema
@content_cli.command("import-gift")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--quiz", "slug", required=True, help="Slug of the quiz file to write.")
@click.option("--title", help="The quiz title (default: from the slug).")
@click.option("--force", is_flag=True, help="Overwrite an existing quiz file.")
@with_appcontext
def import_gift_command(file: Path, slug: str, title: str | None, force: bool) -> None:
    """Turn a Moodle GIFT question bank into quizzes/SLUG.yaml.

    Questions our quizzes cannot hold (essay, description) are reported with their line
    numbers; nothing is dropped silently.
    """
    if not is_valid_slug(slug):
        _fail(_("%(slug)s is not a valid slug: use lower-case letters, digits and hyphens.",
                slug=quote(slug)))
    target = Path(current_app.config["QUIZ_DIR"]) / f"{slug}.yaml"
    if target.exists() and not force:
        _fail(_("%(path)s already exists; use --force to overwrite it.", path=target))
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        _fail(_("%(file)s: not UTF-8 text. Export the question bank from Moodle as UTF-8.",
                file=file))
    result = parse_gift(text, source=str(file))
    for line in result.report():
        click.echo(line, err=True)
    if not result.questions:
        _fail(_("%(file)s: no questions could be imported.", file=file))
    target.parent.mkdir(parents=True, exist_ok=True)
    title = title or slug.replace("-", " ").capitalize()
    target.write_text(write_quiz_yaml(slug, title, result.questions), encoding="utf-8")
    skipped = len(result.errors)
    if skipped:
        click.echo(_("Wrote %(file)s: %(questions)s, %(skipped)d not imported (see above).",
                     file=target, skipped=skipped,
                     questions=ngettext("%(num)d question", "%(num)d questions",
                                        len(result.questions))))
    else:
        click.echo(_("Wrote %(file)s: %(questions)s.", file=target,
                     questions=ngettext("%(num)d question", "%(num)d questions",
                                        len(result.questions))))
    click.echo(_("Check it with `lms content check`, then `lms content sync`."))


@content_cli.command("export-gift")
@click.argument("slug")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: standard output).")
@with_appcontext
def export_gift_command(slug: str, output: Path | None) -> None:
    """Write quiz SLUG as a Moodle GIFT file (the current stored version, or the file)."""
    item = get_item(ContentKind.QUIZ, slug)
    if item is not None and item.current_version is not None:
        source = item.current_version.source
    else:
        path = Path(current_app.config["QUIZ_DIR"]) / f"{slug}.yaml"
        if not path.exists():
            _fail(_("No quiz %(slug)s in the database or in %(folder)s.", slug=quote(slug),
                    folder=path.parent))
        source = path.read_text(encoding="utf-8")
    try:
        gift = quiz_to_gift(safeyaml.load(source))
    except (GiftExportError, yaml.YAMLError) as exc:
        _fail(_("quiz %(slug)s cannot be written as GIFT: %(reason)s", slug=quote(slug),
                reason=exc))
    if output:
        output.write_text(gift, encoding="utf-8")
        click.echo(_("Wrote %(file)s.", file=output))
    else:
        click.echo(gift, nl=False)


def _fail(message: str) -> None:
    click.echo(_("Error: %(message)s", message=message), err=True)
    sys.exit(1)
