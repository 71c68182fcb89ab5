"""Content as the site serves it: the current stored versions, parsed once per content hash.

The live items are read once per request, every kind in one statement, and kept on the request
(``g``) until content is written: pages ask for them several times (the dashboard, locks, the
module a quiz belongs to). A version's text is loaded only when its parse is not cached yet.
"""

from __future__ import annotations

from functools import lru_cache

from flask import g, has_request_context
from sqlalchemy import Select, and_, bindparam, event, select
from sqlalchemy.orm import Session, aliased, contains_eager

from lms.content.documents import ModuleDoc, PathDoc, QuizDoc
from lms.content.parsing import parse_module, parse_path, parse_quiz
from lms.extensions import db
from lms.i18n import locale_code
from lms.models import ContentItem, ContentKind, ContentTranslation, ContentVersion


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
    return _load()[0]


def _translations() -> dict[int, ContentVersion]:
    return _load()[1]


@lru_cache(maxsize=1)
def _live_statement() -> Select:
    """Live items with their current versions, and their translations into the reader's
    language (a bound parameter), in one statement: not one lazy load per item. Built once:
    every page runs it, and building the expression cost more than running it."""
    translation = aliased(ContentVersion)
    return (select(ContentItem, translation).join(ContentItem.current_version)
            .outerjoin(ContentTranslation, and_(ContentTranslation.item_id == ContentItem.id,
                                                ContentTranslation.language
                                                == bindparam("language")))
            .outerjoin(translation, translation.id == ContentTranslation.version_id)
            .where(ContentItem.retired_at.is_(None))
            .options(contains_eager(ContentItem.current_version)))


def _load() -> tuple[dict[str, dict[str, ContentItem]], dict[int, ContentVersion]]:
    if has_request_context() and (known := g.get("_live_items")) is not None:
        return known
    # With their current versions, and their translations into the reader's language, in the
    # same statement: not one lazy load per item. Outside a request (commands, the demo) the
    # originals are used.
    language = locale_code() if has_request_context() else None
    rows = db.session.execute(_live_statement(), {"language": language})
    live: dict[str, dict[str, ContentItem]] = {kind.value: {} for kind in ContentKind}
    translations: dict[int, ContentVersion] = {}
    for item, translated in rows:
        live[item.kind][item.slug] = item
        if translated is not None:
            translations[item.id] = translated
    if has_request_context():
        g._live_items = (live, translations)
    return live, translations


@event.listens_for(Session, "after_flush")
def _forget_live_items(session: Session, _context: object) -> None:
    """Writing content (a save in the browser, a sync, a retirement) ends the request's copy."""
    if not has_request_context() or g.get("_live_items") is None:
        return
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, ContentItem | ContentVersion | ContentTranslation) for obj in changed):
        g._live_items = None


@event.listens_for(Session, "after_commit")
def _forget_expired_live_items(session: Session) -> None:
    """A commit expires every loaded object: the request's copy would reload item by item (two
    lazy loads per item), where loading it again is one statement."""
    if session.expire_on_commit and has_request_context() and g.get("_live_items") is not None:
        g._live_items = None


def shown_version(item: ContentItem) -> ContentVersion | None:
    """The version a reader sees: the translation into their language when there is one,
    else the current original."""
    if has_request_context() and item.retired_at is None:
        translated = _translations().get(item.id)
        if translated is not None:
            return translated
    return item.current_version


def is_current_version(item: ContentItem, version_id: int) -> bool:
    """Whether ``version_id`` is the item's current original or one of its current
    translations: an open attempt on it may go on."""
    if version_id == item.current_version_id:
        return True
    return db.session.scalar(select(ContentTranslation.item_id).where(
        ContentTranslation.item_id == item.id,
        ContentTranslation.version_id == version_id)) is not None


def shown_title(item: ContentItem) -> str:
    version = shown_version(item)
    return version.title if version is not None else item.slug


def untranslated_language(item: ContentItem) -> str | None:
    """The language of the original a reader gets because no translation into theirs exists
    (for the note on the page), or None when they read their own language."""
    version = shown_version(item)
    if version is None or not has_request_context() or version.language == locale_code():
        return None
    return version.language


def current_doc(item: ContentItem):  # noqa: ANN201 - ModuleDoc | QuizDoc | PathDoc | None
    """The document a reader sees (``shown_version``): a translation has the original's
    structure (lms/content/translations.py), so completion and locks read it alike."""
    version = shown_version(item)
    return doc_of(version) if version is not None else None
