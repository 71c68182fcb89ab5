"""All models, imported here so Alembic and the app see the whole schema."""

from lms.models.base import Base, utcnow
from lms.models.content import ContentItem, ContentKind, ContentVersion, MediaFile
from lms.models.people import AliasKind, Role, Team, User, UserAlias, alias_key, team_managers

__all__ = [
    "ContentItem", "ContentKind", "ContentVersion", "MediaFile",
    "AliasKind", "Base", "Role", "Team", "User", "UserAlias", "alias_key", "team_managers",
    "utcnow",
]
