"""``lms content export DIR``: the live content in the database, written back to files.

The database is the source of truth once trainers edit in the browser (on any app server); this
gives those edits back to git. DIR gets the project's layout (``content/modules``,
``content/paths``, ``quizzes``, images in ``content/modules/media``), so DIR may be the
checkout itself; ``lms content sync`` on the result changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.content.checkcmd import ContentDirs
from lms.content.editing import write_atomically
from lms.content.files import MEDIA_FOLDER, find_content_files
from lms.content.parsing import normalise
from lms.extensions import db
from lms.learning.catalog import live_items
from lms.models import ContentItem, ContentKind, ContentTranslation, ContentVersion, MediaFile
from lms.progress import Progress, quiet


@dataclass
class ExportReport:
    written: list[Path] = field(default_factory=list)
    unchanged: int = 0
    #: files in DIR whose item is not live in the database (retired, or never synced)
    not_live: list[Path] = field(default_factory=list)


def _target(kind: ContentKind, slug: str, dirs: ContentDirs, language: str | None = None) -> Path:
    """Where the item's file goes; a translation beside it as ``<slug>.<language>.<ext>``."""
    stem = f"{slug}.{language}" if language else slug
    if kind is ContentKind.MODULE:
        return dirs.modules / f"{stem}.md"
    folder = dirs.quizzes if kind is ContentKind.QUIZ else dirs.paths
    # Keep a checkout's .yml files as .yml.
    short = folder / f"{stem}.yml"
    return short if short.exists() else folder / f"{stem}.yaml"


def _write_if_changed(path: Path, text: str | None, data: bytes | None,
                      report: ExportReport) -> None:
    if text is not None:
        if path.exists() and normalise(path.read_text(encoding="utf-8")) == text:
            report.unchanged += 1
            return
        write_atomically(path, text)
    else:
        if path.exists() and path.read_bytes() == data:
            report.unchanged += 1
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data or b"")
    report.written.append(path)


def export_content(root: Path, progress: Progress = quiet) -> ExportReport:
    dirs = ContentDirs.under(root)
    report = ExportReport()
    items = [(kind, slug, None, item.current_version) for kind in ContentKind
             for slug, item in sorted(live_items(kind).items())]
    items += [(ContentKind(row.item.kind), row.item.slug, row.language, row.version)
              for row in db.session.scalars(
                  select(ContentTranslation).join(ContentTranslation.item)
                  .where(ContentItem.retired_at.is_(None))
                  .options(selectinload(ContentTranslation.version).undefer(ContentVersion.source))
                  .order_by(ContentItem.kind, ContentItem.slug, ContentTranslation.language))]
    media = db.session.scalars(select(MediaFile).where(MediaFile.retired_at.is_(None))
                               .order_by(MediaFile.name)).all()
    total = len(items) + len(media)
    for done, (kind, slug, language, version) in enumerate(items, start=1):
        progress("files", done, total)
        _write_if_changed(_target(kind, slug, dirs, language), version.source, None, report)
    for done, file in enumerate(media, start=len(items) + 1):
        progress("files", done, total)
        _write_if_changed(dirs.modules / MEDIA_FOLDER / file.name, None, file.data, report)
    live = {p.resolve() for p in report.written} | {
        _target(kind, slug, dirs, language).resolve() for kind, slug, language, _ in items}
    found = find_content_files(dirs.modules, dirs.quizzes, dirs.paths)
    report.not_live = sorted(p for p in (*found.modules, *found.quizzes, *found.paths)
                             if Path(p).resolve() not in live)
    return report
