"""Adding, changing and removing a team's webhook (the admin's Team chat page): services that
check, flush and leave the commit to the view."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, update

from lms.chat.plan import DIGEST, SUMMARY
from lms.chat.secret import UnreadableUrl, check_url, decrypt, encrypt, hint
from lms.errors import DomainError
from lms.extensions import db
from lms.models import ChatDelivery, Team, TeamWebhook, utcnow

KINDS = ("teams", "slack")


@dataclass(frozen=True)
class WebhookFields:
    team: Team | None
    kind: str
    channel: str
    #: None or empty on an edit: keep the stored address.
    url: str | None
    digest: bool
    summary: bool


def save_webhook(hook: TeamWebhook | None, fields: WebhookFields) -> TeamWebhook:
    """Add a webhook (``hook`` None) or change one; the address is checked and stored
    encrypted. A message waiting for a retry was written for the channel and team it was
    meant for: it is given up when the webhook gets another address or team, or stops getting
    its kind (a digest that names people must not land in a channel chosen for the summary);
    the same address pasted again sends it at the next run."""
    if fields.team is None or not fields.team.active:
        raise DomainError(_("Choose an active team."), field="team_id")
    if fields.kind not in KINDS:
        raise DomainError(_("Choose Microsoft Teams or Slack."), field="kind")
    if not (fields.digest or fields.summary):
        raise DomainError(_("Tick at least one message for this channel."), field="digest")
    url = None
    if fields.url or hook is None:
        url = check_address(fields.url or "", fields.kind)
    elif fields.kind != hook.kind:  # the stored address is the other service's
        raise DomainError(_("Paste the new service's webhook address too."), field="url")
    stale = [] if hook is None else _stale_kinds(hook, fields, url)
    if hook is None:
        hook = TeamWebhook()
        db.session.add(hook)
    hook.team_id = fields.team.id
    hook.kind = fields.kind
    hook.channel = fields.channel.strip()
    hook.digest, hook.summary = fields.digest, fields.summary
    if url is not None:
        hook.url_encrypted, hook.url_hint = encrypt(url), hint(url)
    db.session.flush()
    waiting = (ChatDelivery.webhook_id == hook.id, ChatDelivery.delivered_at.is_(None),
               ChatDelivery.failed_at.is_(None))
    if stale:
        db.session.execute(update(ChatDelivery).where(*waiting, ChatDelivery.kind.in_(stale))
                           .values(failed_at=utcnow(), claimed_until=None, last_error=_(
                               "The webhook was changed before this message was delivered, "
                               "so it was not sent.")))
    if url is not None:
        db.session.execute(update(ChatDelivery).where(*waiting).values(next_try_at=None))
    return hook


def _stale_kinds(hook: TeamWebhook, fields: WebhookFields, url: str | None) -> list[str]:
    """The kinds of message whose waiting ones no longer fit the changed webhook."""
    try:
        moved = url is not None and url != decrypt(hook.url_encrypted)
    except UnreadableUrl:
        moved = True
    if moved or fields.team is None or fields.team.id != hook.team_id:
        return [DIGEST, SUMMARY]
    return [kind for kind, on in ((DIGEST, fields.digest), (SUMMARY, fields.summary)) if not on]


def check_address(url: str, kind: str) -> str:
    """``check_url`` with this site's settings (LMS_CHAT_ALLOW_LOCAL_HTTP, _EXTRA_HOSTS)."""
    config = current_app.config
    return check_url(url, kind, allow_local_http=bool(config["CHAT_ALLOW_LOCAL_HTTP"]),
                     extra_hosts=tuple(config["CHAT_EXTRA_HOSTS"]))


def remove_webhook(hook: TeamWebhook) -> None:
    """Remove it, with its messages' history (nothing else refers to them)."""
    db.session.execute(delete(ChatDelivery).where(ChatDelivery.webhook_id == hook.id))
    db.session.delete(hook)
    db.session.flush()
