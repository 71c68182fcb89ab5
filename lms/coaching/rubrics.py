"""Stored rubrics: syncing ``content/rubrics`` into versions, and reading a version in the
reader's language.

A version covers the original and its translations: its hash is over all their texts, so a
changed translation is a new version too. Observations point at the version they were rated on.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from lms.content.problems import Problem
from lms.content.rubrics import RubricFile, read_rubrics
from lms.extensions import db
from lms.i18n import locale_code
from lms.models import Rubric, RubricVersion, utcnow


@dataclass
class RubricSyncReport:
    created: list[str]
    updated: list[str]
    unchanged: list[str]
    retired: list[str]
    skipped: list[Problem]


def rubric_hash(file: RubricFile) -> str:
    digest = hashlib.sha256(file.text.replace("\r\n", "\n").encode("utf-8"))
    for language in sorted(file.translations):
        digest.update(f"\0{language}\0".encode())
        digest.update(file.translations[language][0].replace("\r\n", "\n").encode("utf-8"))
    return digest.hexdigest()


def sync_rubrics(folder: Path) -> RubricSyncReport:
    """Bring the stored rubrics in line with ``folder``. A file with errors keeps its last good
    version; a deleted file retires its rubric (old observations keep their version); a missing
    folder changes nothing. Flushes; the caller commits."""
    found = read_rubrics(folder)
    report = RubricSyncReport([], [], [], [], [p for p in found.problems if p.is_error])
    if not folder.is_dir():
        return report
    rubrics = {r.slug: r for r in db.session.scalars(select(Rubric))}
    for file in found.files:
        content_hash = rubric_hash(file)
        version = db.session.scalar(select(RubricVersion).where(
            RubricVersion.slug == file.slug, RubricVersion.content_hash == content_hash))
        if version is None:
            number = (db.session.scalar(select(func.max(RubricVersion.number))
                                        .where(RubricVersion.slug == file.slug)) or 0) + 1
            data = file.doc.as_data()
            data["translations"] = {lang: doc.as_data()
                                    for lang, (_, doc) in sorted(file.translations.items())}
            version = RubricVersion(slug=file.slug, number=number, content_hash=content_hash,
                                    title=file.doc.title[:200], data=data)
            db.session.add(version)
            db.session.flush()
        rubric = rubrics.get(file.slug)
        if rubric is None:
            db.session.add(Rubric(slug=file.slug, current_version_id=version.id))
            report.created.append(file.slug)
        elif rubric.current_version_id != version.id or rubric.retired_at is not None:
            rubric.current_version_id, rubric.retired_at = version.id, None
            report.updated.append(file.slug)
        else:
            report.unchanged.append(file.slug)
    present = {f.slug for f in found.files} | found.broken
    for slug, rubric in rubrics.items():
        if slug not in present and rubric.retired_at is None:
            rubric.retired_at = utcnow()
            report.retired.append(slug)
    db.session.flush()
    return report


# --- reading a version ------------------------------------------------------------------------

@dataclass(frozen=True)
class LevelView:
    value: int
    label: str
    description: str


@dataclass(frozen=True)
class SkillView:
    id: str
    name: str
    description: str


@dataclass(frozen=True)
class RubricView:
    """A rubric version in one language (a translation's words where there is one)."""

    version_id: int
    slug: str
    number: int
    title: str
    description: str
    levels: tuple[LevelView, ...]
    skills: tuple[SkillView, ...]

    @property
    def low(self) -> int:
        return self.levels[0].value

    @property
    def high(self) -> int:
        return self.levels[-1].value

    def level_label(self, value: int) -> str:
        return next((lv.label for lv in self.levels if lv.value == value), str(value))

    def skill_name(self, skill_id: str, default: str = "") -> str:
        return next((s.name for s in self.skills if s.id == skill_id), default or skill_id)


def rubric_view(version: RubricVersion, language: str | None = None) -> RubricView:
    data: dict[str, Any] = version.data
    words = data.get("translations", {}).get(language or locale_code()) or data
    return RubricView(
        version.id, version.slug, version.number, words["title"], words.get("description", ""),
        tuple(LevelView(lv["level"], lv["label"], lv.get("description", ""))
              for lv in words["scale"]),
        tuple(SkillView(s["id"], s["name"], s.get("description", "")) for s in words["skills"]))


def live_rubrics() -> list[Rubric]:
    """Rubrics new observations can be rated on, by title."""
    rows = db.session.scalars(select(Rubric).join(Rubric.current_version)
                              .where(Rubric.retired_at.is_(None))
                              .order_by(RubricVersion.title, Rubric.slug))
    return list(rows)
