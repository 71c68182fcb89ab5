"""Storing content in the database as immutable versions keyed by content hash.

``record_version`` is the one way a version enters the database, whether it comes from a file
sync or from the browser editor. ``sync_content`` reads the content folders and records what
changed: an unchanged file creates nothing, a changed file a new version, a deleted file retires
its item (history kept), and a file with errors is skipped so the site keeps serving its last
good version.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from flask_babel import gettext, ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from lms.content.files import MEDIA_FOLDER, find_content_files
from lms.content.parsing import content_hash, normalise, parse_module, parse_path, parse_quiz
from lms.content.problems import Problem
from lms.content.translations import split_files, translation_problems
from lms.content.validation import check_tree
from lms.extensions import db
from lms.models import (
    ContentItem,
    ContentKind,
    ContentTranslation,
    ContentVersion,
    MediaFile,
    User,
    utcnow,
)
from lms.progress import Progress, quiet

PARSERS = {ContentKind.MODULE: parse_module, ContentKind.QUIZ: parse_quiz,
           ContentKind.PATH: parse_path}


class Change(StrEnum):
    CREATED = "created"      # a new item
    UPDATED = "updated"      # a new version of an existing item
    REVERTED = "reverted"    # the text went back to an earlier stored version
    RESTORED = "restored"    # a retired item came back
    UNCHANGED = "unchanged"


@dataclass
class SyncReport:
    changes: dict[Change, list[str]] = field(default_factory=dict)
    retired: list[str] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    media: dict[str, int] = field(default_factory=lambda: {"added": 0, "updated": 0,
                                                            "retired": 0})

    def add(self, change: Change, label: str) -> None:
        self.changes.setdefault(change, []).append(label)

    def count(self, change: Change) -> int:
        return len(self.changes.get(change, []))

    def summary(self) -> str:
        """"2 created, 1 updated, images: 1 added" in the language spoken."""
        parts = [_counted(c.value, self.count(c)) for c in Change if self.count(c)]
        if self.retired:
            parts.append(_counted("retired", len(self.retired)))
        media = ", ".join(_counted(what, n) for what, n in self.media.items() if n)
        if media:
            parts.append(gettext("images: %(changes)s", changes=media))
        if self.skipped:
            files = len({p.path for p in self.skipped})
            parts.append(ngettext("%(num)d file skipped for errors",
                                  "%(num)d files skipped for errors", files))
        return ", ".join(parts) or gettext("nothing to do")


def _counted(what: str, n: int) -> str:
    """``n`` items that were created, updated ... (``what``), e.g. "3 updated"."""
    return {
        "created": ngettext("%(num)d created", "%(num)d created", n),
        "updated": ngettext("%(num)d updated", "%(num)d updated", n),
        "reverted": ngettext("%(num)d reverted", "%(num)d reverted", n),
        "restored": ngettext("%(num)d restored", "%(num)d restored", n),
        "unchanged": ngettext("%(num)d unchanged", "%(num)d unchanged", n),
        "retired": ngettext("%(num)d retired", "%(num)d retired", n),
        "added": ngettext("%(num)d added", "%(num)d added", n),
    }[what]


def title_of(kind: ContentKind, text: str, slug: str) -> str:
    return _title_and_language(kind, text, slug)[0]


def _title_and_language(kind: ContentKind, text: str, slug: str) -> tuple[str, str]:
    doc = PARSERS[kind](text, slug).doc
    return (doc.title[:200], doc.language) if doc is not None else (slug, "en")


def get_item(kind: ContentKind, slug: str) -> ContentItem | None:
    return db.session.scalar(select(ContentItem).where(ContentItem.kind == kind.value,
                                                       ContentItem.slug == slug))


def record_version(kind: ContentKind, slug: str, text: str, *,
                   actor: User | None = None) -> tuple[ContentVersion, Change]:
    """Make ``text`` the current version of the item, creating a version only if it is new."""
    text = normalise(text)
    digest = content_hash(text)
    item = get_item(kind, slug)
    change = Change.UPDATED
    if item is None:
        item = ContentItem(kind=kind.value, slug=slug)
        db.session.add(item)
        db.session.flush()
        change = Change.CREATED
    elif item.retired_at is not None:
        item.retired_at = None
        change = Change.RESTORED

    version = db.session.scalar(select(ContentVersion).where(
        ContentVersion.item_id == item.id, ContentVersion.content_hash == digest))
    if version is not None:
        if item.current_version_id == version.id:
            return version, (change if change is Change.RESTORED else Change.UNCHANGED)
        change = change if change is Change.RESTORED else Change.REVERTED
    else:
        number = (db.session.scalar(select(func.max(ContentVersion.number)).where(
            ContentVersion.item_id == item.id, ContentVersion.translated.is_(False))) or 0) + 1
        title, language = _title_and_language(kind, text, slug)
        version = ContentVersion(item=item, number=number, content_hash=digest, source=text,
                                 title=title, language=language, created_by=actor)
        db.session.add(version)
        db.session.flush()
    item.current_version = version
    db.session.flush()
    return version, change


def record_translation(kind: ContentKind, slug: str, language: str, text: str, *,
                       actor: User | None = None) -> Change:
    """Make ``text`` the current ``language`` translation of the item ``slug`` (which
    exists: check_tree refuses a translation without an original). A version of the item, so
    attempts on it count for the item."""
    text = normalise(text)
    digest = content_hash(text)
    item = get_item(kind, slug)
    assert item is not None, f"{kind.value} {slug} has no original"
    version = db.session.scalar(select(ContentVersion).where(
        ContentVersion.item_id == item.id, ContentVersion.content_hash == digest))
    if version is None:
        number = (db.session.scalar(select(func.max(ContentVersion.number)).where(
            ContentVersion.item_id == item.id, ContentVersion.translated.is_(True),
            ContentVersion.language == language)) or 0) + 1
        version = ContentVersion(item=item, number=number, content_hash=digest, source=text,
                                 title=title_of(kind, text, slug), language=language,
                                 translated=True, created_by=actor)
        db.session.add(version)
        db.session.flush()
    row = db.session.get(ContentTranslation, (item.id, language))
    if row is None:
        db.session.add(ContentTranslation(item_id=item.id, language=language,
                                          version_id=version.id))
        change = Change.CREATED
    elif row.version_id == version.id:
        return Change.UNCHANGED
    else:
        row.version_id = version.id
        change = Change.UPDATED
    db.session.flush()
    return change


def withdraw_stale_translations(item: ContentItem) -> list[str]:
    """After a new original (a save in the browser): withdraw each current translation that no
    longer matches it, as a sync would, so nobody takes a quiz graded on answers the original
    dropped. Returns the languages withdrawn; the translation files need updating."""
    original = PARSERS[ContentKind(item.kind)](item.current_version.source, item.slug).doc
    withdrawn = []
    for row in db.session.scalars(select(ContentTranslation).where(
            ContentTranslation.item_id == item.id).options(
            selectinload(ContentTranslation.version).undefer(ContentVersion.source))):
        parsed = PARSERS[ContentKind(item.kind)](row.version.source, item.slug).doc
        if parsed is None or original is None or translation_problems(
                parsed, original, row.language, item.slug, item.slug):
            db.session.delete(row)
            withdrawn.append(row.language)
    db.session.flush()
    return withdrawn


def retire(item: ContentItem) -> None:
    item.retired_at = utcnow()
    db.session.flush()


def sync_content(modules_dir: Path, quiz_dir: Path, paths_dir: Path,
                 categories: tuple[str, ...], progress: Progress = quiet) -> SyncReport:
    """Bring the database in line with the content folders. Flushes; the caller commits.
    ``progress``: ("files", done, total) per file stored."""
    report = SyncReport()
    problems = check_tree(modules_dir, quiz_dir, paths_dir, categories)
    bad_files = {p.path for p in problems if p.is_error}
    found = find_content_files(modules_dir, quiz_dir, paths_dir)
    folders = {ContentKind.MODULE: (modules_dir, found.modules),
               ContentKind.QUIZ: (quiz_dir, found.quizzes),
               ContentKind.PATH: (paths_dir, found.paths)}

    total, done = sum(len(files) for _, files in folders.values()), 0
    for kind, (folder, files) in folders.items():
        present: set[str] = set()
        kept: set[str] = set()  # originals skipped for errors: they stay at their last version
        originals, translations = split_files(files)
        for file in originals:
            done += 1
            progress("files", done, total)
            slug = file.stem
            present.add(slug)
            if str(file) in bad_files:
                report.skipped += [p for p in problems if p.path == str(file) and p.is_error]
                kept.add(slug)
                continue
            _, change = record_version(kind, slug, file.read_text(encoding="utf-8"))
            report.add(change, f"{kind.value}:{slug}")
        translated: set[tuple[str, str]] = set()
        for file, slug, language in translations:
            done += 1
            progress("files", done, total)
            if slug in kept:
                # The original stays at its last good version, and so do its translations.
                translated.add((slug, language))
                continue
            if str(file) in bad_files:
                # Unlike an original, a broken translation is not kept at its last good
                # version: it may no longer match the original's questions. Readers get the
                # original (with a note) until it is fixed.
                report.skipped += [p for p in problems if p.path == str(file) and p.is_error]
                continue
            translated.add((slug, language))
            change = record_translation(kind, slug, language, file.read_text(encoding="utf-8"))
            report.add(change, f"{kind.value}:{slug} ({language})")
        if folder.is_dir():
            for row in db.session.scalars(select(ContentTranslation).join(ContentTranslation.item)
                                          .where(ContentItem.kind == kind.value)):
                if (row.item.slug, row.language) not in translated:
                    db.session.delete(row)
                    report.retired.append(f"{kind.value}:{row.item.slug} ({row.language})")
        # A missing folder is a configuration mistake, not a reason to retire everything in it.
        if not folder.is_dir():
            report.skipped += [p for p in problems if p.path == str(folder)]
            continue
        for item in db.session.scalars(select(ContentItem).where(
                ContentItem.kind == kind.value, ContentItem.retired_at.is_(None))):
            if item.slug not in present:
                retire(item)
                report.retired.append(f"{kind.value}:{item.slug}")

    if modules_dir.is_dir():
        _sync_media(modules_dir / MEDIA_FOLDER, found.media, report)
    return report


def _sync_media(folder: Path, names: list[str], report: SyncReport) -> None:
    stored = {m.name: m for m in db.session.scalars(select(MediaFile))}
    for name in names:
        data = (folder / name).read_bytes()
        digest = content_hash_bytes(data)
        media = stored.get(name)
        if media is None:
            db.session.add(MediaFile(name=name, data=data, content_hash=digest,
                                     mime_type=guess_mime(name)))
            report.media["added"] += 1
        elif media.content_hash != digest or media.retired_at is not None:
            media.data, media.content_hash, media.retired_at = data, digest, None
            media.updated_at = utcnow()
            report.media["updated"] += 1
    for name, media in stored.items():
        if name not in names and media.retired_at is None:
            media.retired_at = utcnow()
            report.media["retired"] += 1
    db.session.flush()


def content_hash_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def guess_mime(name: str) -> str:
    if name.lower().endswith(".svg"):
        return "image/svg+xml"
    return mimetypes.guess_type(name)[0] or "application/octet-stream"
