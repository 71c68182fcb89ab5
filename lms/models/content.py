"""Training content as stored versions: modules, quizzes, learning paths and their images.

Files are how content enters and leaves; the site serves what is stored here, so several
application servers stay consistent. A version is immutable and keyed by the hash of its text:
learner state (attempts, reading) points at versions, never at the live file, so history
survives any edit.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.models.base import Base, UTCDateTime, utcnow


class ContentKind(StrEnum):
    MODULE = "module"
    QUIZ = "quiz"
    PATH = "path"

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self.value])


#: What a person calls each kind, lower-case as inside a sentence (templates capitalise it).
KIND_LABELS = {"module": _l("module"), "quiz": _l("quiz"), "path": _l("learning path")}


class ContentItem(Base):
    """One module, quiz or path, identified by kind and slug across all its versions."""

    __tablename__ = "content_items"
    __table_args__ = (
        UniqueConstraint("kind", "slug"),
        CheckConstraint("kind IN ('module', 'quiz', 'path')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    slug: Mapped[str] = mapped_column(String(80))
    #: The version the site serves. Set after the first version is inserted (hence use_alter).
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("content_versions.id", use_alter=True, ondelete="SET NULL")
    )
    #: Set when the file disappeared; the item and its versions stay for history.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    current_version: Mapped[ContentVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )
    #: The original's versions, oldest first; translations' versions are not among them.
    versions: Mapped[list[ContentVersion]] = relationship(
        primaryjoin="and_(ContentItem.id == ContentVersion.item_id, "
                    "ContentVersion.translated.is_(False))",
        order_by="ContentVersion.number", viewonly=True,
    )

    @property
    def kind_enum(self) -> ContentKind:
        return ContentKind(self.kind)

    def __repr__(self) -> str:
        return f"<ContentItem {self.kind}:{self.slug}>"


class ContentVersion(Base):
    __tablename__ = "content_versions"
    __table_args__ = (
        # Numbered per language: "version 3" of the original is its third, translations aside.
        UniqueConstraint("item_id", "language", "number"),
        UniqueConstraint("item_id", "content_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"),
                                         index=True)
    #: 1, 2, 3 ... per item and language, in the order versions were first seen.
    number: Mapped[int] = mapped_column(Integer)
    #: sha256 of the normalised text (LF line ends): the version's identity.
    content_hash: Mapped[str] = mapped_column(String(64))
    #: The file's full text, exactly as it was.
    #: Deferred: pages read the parsed document, cached by hash, not the text.
    source: Mapped[str] = mapped_column(Text, deferred=True)
    title: Mapped[str] = mapped_column(String(200))
    #: The language the text is written in (its ``language:``); a translation's differs from
    #: the original's (lms/content/translations.py).
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    #: A version of a translation (``x.nl.md``), not of the original.
    translated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Who saved it in the browser; empty when it came from a file sync.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                 ondelete="SET NULL"))

    item: Mapped[ContentItem] = relationship(foreign_keys=[item_id])
    created_by = relationship("User")

    @property
    def short_hash(self) -> str:
        return self.content_hash[:10]


class ContentTranslation(Base):
    """The current version of an item in another language: ``x.nl.md`` beside ``x.md``.

    A translation's versions belong to the original's item, so attempts, completion and
    readiness count them as the same module or quiz; this row says which one is current.
    """

    __tablename__ = "content_translations"

    item_id: Mapped[int] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"),
                                         primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("content_versions.id",
                                                       ondelete="CASCADE"))

    item: Mapped[ContentItem] = relationship()
    version: Mapped[ContentVersion] = relationship()


class MediaFile(Base):
    """An image used by modules. Replaced in place: a module version names its images by file
    name, and images are served with their hash as ETag."""

    __tablename__ = "media_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    mime_type: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
