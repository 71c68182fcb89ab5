"""Content as the site serves it: the current stored versions, parsed once per content hash.

The live items are read once per request, every kind in one statement, and kept on the request
(``g``) until content is written: pages ask for them several times (the dashboard, locks, the
module a quiz belongs to). A version's text is loaded only when its parse is not cached yet.
"""

from __future__ import annotations

from functools import lru_cache

from flask import g, has_request_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session, contains_eager

from lms.content.documents import ModuleDoc, PathDoc, QuizDoc
from lms.content.parsing import parse_module, parse_path, parse_quiz
from lms.extensions import db
from lms.models import ContentItem, ContentKind, ContentVersion


@lru_cache(maxsize=1024)
def _parse(kind: str, content_hash: str, source: str) -> ModuleDoc | QuizDoc | PathDoc | None:
    # Keyed by hash: a version never changes, so its parse never goes stale.
    parser = {"module": parse_module, "quiz": parse_quiz, "path": parse_path}[kind]
    return parser(source, content_hash).doc


#: content hash -> parsed document, so a cached parse needs neither the text nor the item.
_DOCS: dict[str, ModuleDoc | QuizDoc | PathDoc | None] = {}
_DOCS_MAX = 2048


def doc_of(version: ContentVersion) -> ModuleDoc | QuizDoc | PathDoc | None:
    try:
        return _DOCS[version.content_hash]
    except KeyError:
        pass
    doc = _parse(version.item.kind, version.content_hash, version.source)
    if len(_DOCS) >= _DOCS_MAX:
        _DOCS.clear()
    _DOCS[version.content_hash] = doc
    return doc


def quiz_doc(version: ContentVersion) -> QuizDoc:
    doc = doc_of(version)
    assert isinstance(doc, QuizDoc), f"version {version.id} is not a readable quiz"
    return doc


def live_item(kind: ContentKind, slug: str) -> ContentItem | None:
    """An item learners can use: it exists, is not retired and has a current version."""
    return _live()[kind.value].get(slug)


def live_items(kind: ContentKind) -> dict[str, ContentItem]:
    return dict(_live()[kind.value])


def _live() -> dict[str, dict[str, ContentItem]]:
    if has_request_context() and (known := g.get("_live_items")) is not None:
        return known
    # With their current versions in the same statement, not one lazy load per item.
    rows = db.session.scalars(
        select(ContentItem).join(ContentItem.current_version)
        .where(ContentItem.retired_at.is_(None))
        .options(contains_eager(ContentItem.current_version)))
    live: dict[str, dict[str, ContentItem]] = {kind.value: {} for kind in ContentKind}
    for item in rows:
        live[item.kind][item.slug] = item
    if has_request_context():
        g._live_items = live
    return live


@event.listens_for(Session, "after_flush")
def _forget_live_items(session: Session, _context: object) -> None:
    """Writing content (a save in the browser, a sync, a retirement) ends the request's copy."""
    if not has_request_context() or g.get("_live_items") is None:
        return
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, ContentItem | ContentVersion) for obj in changed):
        g._live_items = None


def current_doc(item: ContentItem):  # noqa: ANN201 - ModuleDoc | QuizDoc | PathDoc | None
    return doc_of(item.current_version) if item.current_version is not None else None
