"""Asking learners what they thought of a module or path they completed, and recording the
answer: three scores from 1 to 5 and an optional comment, or "not now". Either is final for that
version: the person is not asked again, and cannot answer twice (a unique constraint).

The version reacted to is the one completed: for a module the version the person read (what
they judge as clear or useful), for a path the version their certificate was given on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.content.documents import PathDoc
from lms.errors import DomainError
from lms.extensions import db
from lms.learning.catalog import current_doc, live_items, shown_title
from lms.learning.completion import path_completions, progress_of
from lms.models import ContentItem, ContentKind, ModuleProgress, PathCompletion, Reaction, utcnow
from lms.models.reactions import COMMENT_MAX

SCORES = range(1, 6)


@dataclass(frozen=True)
class Prompt:
    """The questions to ask: about this module or path, at this version."""

    item: ContentItem
    version_id: int

    @property
    def kind(self) -> str:
        return self.item.kind


def asked_versions(user_id: int) -> set[int]:
    """The versions the person has answered or skipped (one query)."""
    return set(db.session.scalars(select(Reaction.version_id)
                                  .where(Reaction.user_id == user_id)))


def _module_version(module: ContentItem, row: ModuleProgress | None) -> int | None:
    if row is None or row.completed_at is None:
        return None
    return row.read_version_id or module.current_version_id


def _path_version(path: ContentItem, completion: PathCompletion | None,
                  now: datetime) -> int | None:
    if completion is None or (completion.expires_at and completion.expires_at <= now):
        return None
    return completion.path_version_id or path.current_version_id


def completed_version(user_id: int, item: ContentItem, *,
                      now: datetime | None = None) -> int | None:
    """The version of the module or path the person completed, or None if they have not (or
    their path certificate has expired)."""
    if item.kind == ContentKind.MODULE.value:
        return _module_version(item, progress_of(user_id, item))
    if item.kind == ContentKind.PATH.value:
        completion = db.session.scalar(select(PathCompletion).where(
            PathCompletion.user_id == user_id, PathCompletion.path_id == item.id))
        return _path_version(item, completion, now or utcnow())
    return None


def module_prompt(user_id: int, module: ContentItem, row: ModuleProgress | None, *,
                  now: datetime | None = None) -> Prompt | None:
    """What to ask on the page a learner lands on after a module (``row``: their progress on
    it): about the module, else about a path it completed; None when there is nothing to ask.
    A fixed three queries."""
    asked = asked_versions(user_id)
    version = _module_version(module, row)
    if version is not None and version not in asked:
        return Prompt(module, version)
    if version is None:
        return None
    now = now or utcnow()
    completions = path_completions(user_id)
    for path in sorted(live_items(ContentKind.PATH).values(), key=lambda p: p.slug):
        doc = current_doc(path)
        if not isinstance(doc, PathDoc) or not any(e.module == module.slug for e in doc.modules):
            continue
        version = _path_version(path, completions.get(path.id), now)
        if version is not None and version not in asked:
            return Prompt(path, version)
    return None


def path_prompt(user_id: int, path: ContentItem, completion: PathCompletion | None, *,
                now: datetime | None = None) -> Prompt | None:
    version = _path_version(path, completion, now or utcnow())
    if version is None or version in asked_versions(user_id):
        return None
    return Prompt(path, version)


def _check_scores(scores: dict[str, int | None]) -> None:
    for name, value in scores.items():
        if value not in SCORES:
            raise DomainError(_("Choose a score from 1 to 5."), field=name)


def _store(user_id: int, item: ContentItem, version_id: int, **values: object) -> Reaction:
    reaction = Reaction(user_id=user_id, item_id=item.id, version_id=version_id, **values)
    try:
        with db.session.begin_nested():
            db.session.add(reaction)
    except IntegrityError:
        # Answered in another tab a moment ago: the constraint keeps one answer per version.
        raise _already(item) from None
    return reaction


def _already(item: ContentItem) -> DomainError:
    return DomainError(_("You have already answered or skipped the questions about “%(title)s”. "
                         "Thank you!", title=shown_title(item)))


def _target(user_id: int, item: ContentItem) -> int:
    version = completed_version(user_id, item)
    if version is None:
        raise DomainError(_("You can give your opinion on “%(title)s” once you have completed "
                            "it.", title=shown_title(item)))
    if version in asked_versions(user_id):
        raise _already(item)
    return version


def record_reaction(user_id: int, item: ContentItem, *, useful: int | None, clear: int | None,
                    recommend: int | None, comment: str = "") -> Reaction:
    """Store the person's answer on the version they completed. Raises DomainError when a score
    is not 1-5, the comment is too long, they have not completed it, or they already answered
    or skipped."""
    _check_scores({"useful": useful, "clear": clear, "recommend": recommend})
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise DomainError(_("Keep the comment to %(max)d characters.", max=COMMENT_MAX),
                          field="comment")
    return _store(user_id, item, _target(user_id, item), useful=useful, clear=clear,
                  recommend=recommend, comment=comment)


def dismiss_reaction(user_id: int, item: ContentItem) -> Reaction:
    """"Not now": the questions are not asked again for this version."""
    return _store(user_id, item, _target(user_id, item), comment="")
