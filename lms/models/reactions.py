"""Learners' reactions to training (the first of the four levels training is judged by): three
scores from 1 to 5 and an optional comment, given once per person and module or path version.

The person is stored only so that nobody answers twice; no page or report shows who answered
(lms/analytics/reactions.py shows averages of at least five people).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.models.base import Base, UTCDateTime, utcnow

#: The longest comment accepted, in characters.
COMMENT_MAX = 1000


class Reaction(Base):
    __tablename__ = "reactions"
    __table_args__ = (
        # One answer (or "not now") per person and version: asked once, counted once.
        UniqueConstraint("user_id", "version_id"),
        CheckConstraint(
            "(useful IS NULL AND clear IS NULL AND recommend IS NULL) OR "
            "(useful BETWEEN 1 AND 5 AND clear BETWEEN 1 AND 5 AND recommend BETWEEN 1 AND 5)",
            name="scores"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: The module or path reacted to.
    item_id: Mapped[int] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"),
                                         index=True)
    #: The version completed: the module version read, the path version certified.
    version_id: Mapped[int] = mapped_column(ForeignKey("content_versions.id",
                                                       ondelete="CASCADE"))
    #: "Useful for my work", "clear", "would recommend to a colleague", 1-5; all three empty
    #: when the person chose "not now".
    useful: Mapped[int | None] = mapped_column(SmallInteger)
    clear: Mapped[int | None] = mapped_column(SmallInteger)
    recommend: Mapped[int | None] = mapped_column(SmallInteger)
    comment: Mapped[str] = mapped_column(String(COMMENT_MAX), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item = relationship("ContentItem")
    version = relationship("ContentVersion")

    @property
    def answered(self) -> bool:
        return self.useful is not None
