"""Content as the site serves it: the current stored versions, parsed once per content hash."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.content.documents import ModuleDoc, PathDoc, QuizDoc
from lms.content.parsing import parse_module, parse_path, parse_quiz
from lms.extensions import db
from lms.models import ContentItem, ContentKind, ContentVersion


@lru_cache(maxsize=1024)
def _parse(kind: str, content_hash: str, source: str) -> ModuleDoc | QuizDoc | PathDoc | None:
    # Keyed by hash: a version never changes, so its parse never goes stale.
    parser = {"module": parse_module, "quiz": parse_quiz, "path": parse_path}[kind]
    return parser(source, content_hash).doc


def doc_of(version: ContentVersion) -> ModuleDoc | QuizDoc | PathDoc | None:
    return _parse(version.item.kind, version.content_hash, version.source)


def quiz_doc(version: ContentVersion) -> QuizDoc:
    doc = doc_of(version)
    assert isinstance(doc, QuizDoc), f"version {version.id} is not a readable quiz"
    return doc


def live_item(kind: ContentKind, slug: str) -> ContentItem | None:
    """An item learners can use: it exists, is not retired and has a current version."""
    item = db.session.scalar(select(ContentItem).where(
        ContentItem.kind == kind.value, ContentItem.slug == slug,
        ContentItem.retired_at.is_(None), ContentItem.current_version_id.is_not(None)))
    return item


def live_items(kind: ContentKind) -> dict[str, ContentItem]:
    # The current versions in one more query, not one lazy load per item as pages read them.
    items = db.session.scalars(select(ContentItem).where(
        ContentItem.kind == kind.value, ContentItem.retired_at.is_(None),
        ContentItem.current_version_id.is_not(None))
        .options(selectinload(ContentItem.current_version)))
    return {item.slug: item for item in items}


def current_doc(item: ContentItem):  # noqa: ANN201 - ModuleDoc | QuizDoc | PathDoc | None
    return doc_of(item.current_version) if item.current_version is not None else None
