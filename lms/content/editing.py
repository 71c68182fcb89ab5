"""Editing content in the browser: check an unsaved text, save it as a version (and a file),
refuse a save that would overwrite someone else's change, and start new modules from a template.

The database is the source of truth, so that every app server edits the same thing: the editor
opens the stored current version, a save conflicts when that version changed since the editor
opened it (whichever server saved it), and an edited text is checked against the live content
in the database. The file is written too where this server's content folder allows it, for
the single-server habit of keeping content in git; ``lms content export`` writes every live
version back to files from any server.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import select

from lms.content.checkcmd import ContentDirs
from lms.content.documents import ModuleDoc
from lms.content.links import is_valid_slug
from lms.content.parsing import content_hash, normalise
from lms.content.problems import Problem
from lms.content.rendering import heading_ids
from lms.content.store import Change, get_item, record_version, withdraw_stale_translations
from lms.content.validation import (
    Context,
    check_module_text,
    check_path_text,
    check_quiz_text,
)
from lms.errors import DomainError
from lms.extensions import db
from lms.learning.catalog import current_doc, live_items
from lms.models import ContentItem, ContentKind, ContentVersion, MediaFile, User
from lms.safeyaml import quote

CHECKERS = {ContentKind.MODULE: check_module_text, ContentKind.QUIZ: check_quiz_text,
            ContentKind.PATH: check_path_text}


class EditConflict(DomainError):
    """The file changed since the editor opened it; saving would lose that change."""

    def __init__(self, current_text: str) -> None:
        super().__init__(_(
            "This file was changed by someone else since you opened it, so your text was not "
            "saved. Your text is still in the editor; below, '−' lines are theirs and '+' lines "
            "yours. Saving again replaces their version with yours, so first copy in anything "
            "of theirs you want to keep."
        ))
        self.current_text = current_text


class ContentInvalid(DomainError):
    def __init__(self, problems: list[Problem]) -> None:
        count = len(problems)
        super().__init__(ngettext("Not saved: %(num)d error to fix first.",
                                  "Not saved: %(num)d errors to fix first.", count))
        self.problems = problems


def file_path(kind: ContentKind, slug: str, dirs: ContentDirs) -> Path:
    if not is_valid_slug(slug):
        raise DomainError(_("%(slug)s is not a valid slug.", slug=quote(slug)))
    folder = {ContentKind.MODULE: dirs.modules, ContentKind.QUIZ: dirs.quizzes,
              ContentKind.PATH: dirs.paths}[kind]
    if kind is ContentKind.MODULE:
        return folder / f"{slug}.md"
    # Quizzes and paths may be .yaml or .yml: edit the file that is there.
    short = folder / f"{slug}.yml"
    return short if short.exists() and not (folder / f"{slug}.yaml").exists() \
        else folder / f"{slug}.yaml"


def read_current(kind: ContentKind, slug: str, dirs: ContentDirs) -> str | None:
    """The stored current version's text, or else (an item not stored yet) the file's on
    disk, or None."""
    item = get_item(kind, slug)
    if item is not None and item.current_version is not None and item.retired_at is None:
        return item.current_version.source
    path = file_path(kind, slug, dirs)
    if path.exists():
        return normalise(path.read_text(encoding="utf-8"))
    return None


def build_context(dirs: ContentDirs, categories: tuple[str, ...]) -> Context:
    """What an edited text is checked against: the live content in the database, which every
    server shares (modules, quizzes, paths, images, prerequisites and headings)."""
    modules = live_items(ContentKind.MODULE)
    docs = [d for item in modules.values() if isinstance(d := current_doc(item), ModuleDoc)]
    media = db.session.scalars(select(MediaFile.name).where(MediaFile.retired_at.is_(None)))
    return Context(
        module_slugs=frozenset(modules), quiz_slugs=frozenset(live_items(ContentKind.QUIZ)),
        path_slugs=frozenset(live_items(ContentKind.PATH)), media_files=frozenset(media),
        prerequisites={doc.slug: doc.prerequisites for doc in docs},
        anchors={doc.slug: heading_ids(doc.body) for doc in docs},
        categories=tuple(categories), modules_dir=str(dirs.modules),
        quiz_dir=str(dirs.quizzes), paths_dir=str(dirs.paths))


def check_text(kind: ContentKind, slug: str, text: str, dirs: ContentDirs,
               categories: tuple[str, ...]) -> list[Problem]:
    path = str(file_path(kind, slug, dirs))
    return CHECKERS[kind](slug, normalise(text), build_context(dirs, categories), path)


@dataclass(frozen=True)
class Saved:
    version: ContentVersion
    change: Change
    #: the file was written on this server too (False: its content folder is read-only)
    file_written: bool
    #: translations that stopped matching the saved original and are no longer served
    withdrawn: tuple[str, ...] = ()


def save_text(kind: ContentKind, slug: str, text: str, *, base_hash: str | None,
              dirs: ContentDirs, categories: tuple[str, ...], actor: User) -> Saved:
    """Check, then record the version and write the file. ``base_hash`` is the hash of the
    text the editor opened (None for a new item); a different current text means a conflict.
    The item's row is locked first (on PostgreSQL), so two servers saving at once cannot both
    pass the check."""
    text = normalise(text)
    if not text.endswith("\n"):
        text += "\n"
    db.session.execute(select(ContentItem.id).where(
        ContentItem.kind == kind.value, ContentItem.slug == slug).with_for_update())
    current = read_current(kind, slug, dirs)
    current_hash = content_hash(current) if current is not None else None
    if current_hash != base_hash:
        raise EditConflict(current or "")
    errors = [p for p in check_text(kind, slug, text, dirs, categories) if p.is_error]
    if errors:
        raise ContentInvalid(errors)
    version, change = record_version(kind, slug, text, actor=actor)
    withdrawn = tuple(withdraw_stale_translations(version.item))
    try:
        write_atomically(file_path(kind, slug, dirs), text)
    except OSError:
        return Saved(version, change, file_written=False, withdrawn=withdrawn)
    return Saved(version, change, file_written=True, withdrawn=withdrawn)


def write_atomically(path: Path, text: str) -> None:
    """Readers (and a sync running now) see the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


# New modules ---------------------------------------------------------------------------------

def new_module_text(title: str, category: str, summary: str) -> str:
    """A module that passes the checks and shows the trainer every feature of the format,
    its example text in the language the trainer reads (and ``language`` set to it)."""
    title = " ".join(title.split())
    summary = " ".join(summary.split())
    language = str(get_locale() or "en")
    objective = _yaml_string(_("Describe what the learner can do after this module"))
    why = _("Start with why this matters to a salesperson, in two or three sentences.")
    main_idea = _("The main idea")
    explain = _("Explain one idea per section. Use a table when comparing things:")
    option, fits = _("Option"), _("When it fits")
    first, second = _("First option"), _("Second option")
    suits = _("The situation it suits")
    tip = _yaml_string(_("Tip"))
    admonition = _("Admonitions like this one draw attention to a practical tip.")
    practice = _("In practice")
    example = _("Give a worked example or a short dialogue a salesperson can reuse.")
    return f"""---
title: {_yaml_string(title)}
category: {category}
summary: {_yaml_string(summary)}
estimated_minutes: 10
objectives:
  - {objective}
tags: []
language: {language}
---
# {title}

{why}

## {main_idea}

{explain}

| {option} | {fits} |
| --- | --- |
| {first} | {suits} |
| {second} | {suits} |

!!! note {tip}
    {admonition}

## {practice}

{example}
"""


def _yaml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def create_module(slug: str, title: str, category: str, summary: str, *, dirs: ContentDirs,
                  categories: tuple[str, ...], actor: User) -> ContentVersion:
    if not is_valid_slug(slug):
        raise DomainError(_("Use lower-case letters, digits and single hyphens for the file "
                            "name, for example 'service-contracts'."), field="slug")
    if file_path(ContentKind.MODULE, slug, dirs).exists() or get_item(ContentKind.MODULE, slug):
        raise DomainError(_("A module called %(slug)s already exists (or existed: slugs are "
                            "never reused).", slug=quote(slug)), field="slug")
    if category not in categories:
        raise DomainError(_("Unknown category %(category)s.", category=quote(category)),
                          field="category")
    return save_text(ContentKind.MODULE, slug, new_module_text(title, category, summary),
                     base_hash=None, dirs=dirs, categories=categories, actor=actor).version


# Comparing versions ----------------------------------------------------------------------------

@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "removed", "added", "skip"
    old_number: int | None
    new_number: int | None
    text: str


def diff_lines(old: str, new: str, context: int = 3) -> list[DiffLine]:
    """A line diff with line numbers on both sides, unchanged stretches shortened."""
    a, b = old.splitlines(), new.splitlines()
    rows: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for group_index, group in enumerate(matcher.get_grouped_opcodes(context)):
        if group_index or (group and (group[0][1] > 0 or group[0][3] > 0)):
            rows.append(DiffLine("skip", None, None, "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [DiffLine("same", i + 1, j + 1, a[i]) for i, j in
                         zip(range(i1, i2), range(j1, j2), strict=True)]
                continue
            rows += [DiffLine("removed", i + 1, None, a[i]) for i in range(i1, i2)]
            rows += [DiffLine("added", None, j + 1, b[j]) for j in range(j1, j2)]
    return rows
