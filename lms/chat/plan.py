"""What each team's webhooks get today: reads the database, writes nothing.

* digest (daily, on a day it has something to say): the team members' overdue training and
  their follow-ups past their days and complaints open long, as in the managers' mail digest;
* summary (weekly: the first run of the week with something to say): the names of the team
  members with training due in the next SUMMARY_DAYS days, nothing more.

Only active teams' webhooks, and only the team's own members (a team below has its own channel).
Everything is in the organisation's language (LMS_DEFAULT_LOCALE): a channel has many readers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from lms.chat.compose import ChatMessage, slack_payload, team_digest, team_summary, teams_payload
from lms.extensions import db
from lms.i18n import speaking
from lms.learning.assignments import completed_clause, live_assignments_query, start_of
from lms.models import Assignment, ContentItem, ContentVersion, Team, TeamWebhook, User
from lms.reminders.compose import OverdueLine, SalesCount
from lms.reminders.send import site_url
from lms.sales.worklist import Rules, late_work
from lms.security import Scope

DIGEST, SUMMARY = "digest", "summary"
#: The services' names as pages and the terminal write them (brand names: not translated).
SERVICES = {"teams": "Microsoft Teams", "slack": "Slack"}
SUMMARY_DAYS = 7


@dataclass(frozen=True)
class Post:
    webhook_id: int
    team: str
    channel: str
    service: str  # teams / slack
    kind: str  # DIGEST / SUMMARY
    period: date
    title: str
    payload: dict[str, Any]


def period_of(kind: str, today: date) -> date:
    """A digest is once a day; a summary once a week (its Monday)."""
    return today - timedelta(days=today.weekday()) if kind == SUMMARY else today


def payload_for(service: str, message: ChatMessage) -> dict[str, Any]:
    return teams_payload(message) if service == "teams" else slack_payload(message)


def plan_posts(today: date, rules: Rules) -> list[Post]:
    """Every message the webhooks would get today (whether or not sent already)."""
    hooks = db.session.execute(
        select(TeamWebhook, Team.name).join(Team, Team.id == TeamWebhook.team_id)
        .where(Team.active.is_(True))
        .order_by(Team.name, TeamWebhook.id)).all()
    hooks = [(hook, name) for hook, name in hooks if hook.digest or hook.summary]
    if not hooks:
        return []
    team_ids = frozenset(hook.team_id for hook, _name in hooks)
    rows = _due_rows(team_ids, today)
    sales = (_sales_counts(team_ids, rules)
             if any(hook.digest for hook, _name in hooks) else {})
    overdue: dict[int, list[OverdueLine]] = defaultdict(list)
    due_soon: dict[int, set[str]] = defaultdict(set)
    for row in rows:
        if row.due_date < today:
            overdue[row.team_id].append(OverdueLine(row.name, None, row.title or row.slug,
                                                    row.due_date, (today - row.due_date).days))
        else:
            due_soon[row.team_id].add(row.name)
    posts = []
    with speaking(None):
        for hook, team in hooks:
            messages = []
            if hook.digest and (overdue[hook.team_id] or sales.get(hook.team_id)):
                link = site_url("assignments.index", team=hook.team_id)
                messages.append((DIGEST, team_digest(
                    team, overdue[hook.team_id], sales.get(hook.team_id, []), today,
                    rules.complaint_open_days, link)))
            if hook.summary and due_soon[hook.team_id]:
                messages.append((SUMMARY, team_summary(
                    team, sorted(due_soon[hook.team_id]), SUMMARY_DAYS,
                    site_url("learn.dashboard"))))
            posts.extend(Post(hook.id, team, hook.channel, hook.kind, kind,
                              period_of(kind, today), message.title,
                              payload_for(hook.kind, message))
                         for kind, message in messages)
    return posts


def _due_rows(team_ids: frozenset[int], today: date) -> list[Any]:
    """The teams' members' live, incomplete assignments due by today + SUMMARY_DAYS (one
    query)."""
    query = (live_assignments_query(
        Assignment.due_date, User.name, User.team_id, ContentItem.slug, ContentVersion.title)
        .outerjoin(ContentVersion, ContentItem.current_version_id == ContentVersion.id)
        .where(User.team_id.in_(sorted(team_ids)), Assignment.due_date.is_not(None),
               Assignment.due_date <= today + timedelta(days=SUMMARY_DAYS),
               ~completed_clause(start_of(today)))
        .order_by(User.name, Assignment.due_date, Assignment.id))
    return list(db.session.execute(query))


def _sales_counts(team_ids: frozenset[int], rules: Rules) -> dict[int, list[SalesCount]]:
    """Per team: its members' overdue follow-ups and long-open complaints (three queries)."""
    late = late_work(Scope(team_ids=team_ids), rules)
    if not late:
        return {}
    teams = dict(db.session.execute(select(User.id, User.team_id)
                                    .where(User.id.in_(sorted(late)))).all())
    counts: dict[int, list[SalesCount]] = defaultdict(list)
    for user_id, work in late.items():
        if teams.get(user_id) in team_ids:
            first = (work.follow_ups or work.complaints)[0]
            counts[teams[user_id]].append(SalesCount(first.person, None, len(work.follow_ups),
                                                     len(work.complaints)))
    return counts
