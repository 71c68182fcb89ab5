"""All models, imported here so Alembic and the app see the whole schema."""

from lms.models.base import Base, utcnow
from lms.models.boosters import (
    BoosterCard,
    BoosterMail,
    BoosterPause,
    BoosterReview,
    BoosterSetting,
)
from lms.models.chat import ChatDelivery, TeamWebhook
from lms.models.coaching import (
    Observation,
    ObservationKind,
    Rating,
    Rubric,
    RubricVersion,
)
from lms.models.content import (
    ContentItem,
    ContentKind,
    ContentTranslation,
    ContentVersion,
    MediaFile,
)
from lms.models.crm_sync import CrmSyncState
from lms.models.learning import (
    Assignment,
    Attempt,
    AttemptQuestion,
    AttemptStatus,
    Goal,
    GoalKind,
    ModuleProgress,
    PathCompletion,
    Submission,
)
from lms.models.management import (
    ApiToken,
    ChangeCounter,
    JobLease,
    RateLimitCounter,
    ReminderLog,
    Setting,
)
from lms.models.people import (
    AliasKind,
    LoginSession,
    Role,
    Team,
    User,
    UserAlias,
    alias_key,
    team_managers,
)
from lms.models.reactions import Reaction
from lms.models.rollouts import Design, Rollout, RolloutMember
from lms.models.sale_actions import ActionKind, SaleAction
from lms.models.sales import Sale, SaleChange, SalesImport
from lms.models.xapi import XapiOutbox

__all__ = [
    "ApiToken", "ChangeCounter", "JobLease", "RateLimitCounter", "ReminderLog", "Sale",
    "SaleChange", "SalesImport", "Setting",
    "Assignment", "Attempt", "AttemptQuestion", "AttemptStatus", "Goal", "GoalKind",
    "ModuleProgress", "PathCompletion", "Submission", "Design", "Rollout", "RolloutMember",
    "Reaction",
    "ContentItem", "ContentKind", "ContentTranslation", "ContentVersion", "MediaFile",
    "AliasKind", "Base", "LoginSession", "Role", "Team", "User", "UserAlias", "alias_key",
    "team_managers", "utcnow",
    "Observation", "ObservationKind", "Rating", "Rubric", "RubricVersion",
    "XapiOutbox",
    "CrmSyncState",
    "ChatDelivery", "TeamWebhook",
    "ActionKind", "SaleAction",
    "BoosterCard", "BoosterMail", "BoosterPause", "BoosterReview", "BoosterSetting",
]
