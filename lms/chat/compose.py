"""The chat messages' text, and the two payloads it goes out in: pure functions from plain
values, nothing read from the database.

What a team channel gets, and why (docs/operations.md "Team chat"): a channel is read by many,
so it never gets a learner's personal reminder. The **digest** is the managers' mail digest
for one team (who is overdue with what, and how many customers wait on each person): meant for
a channel of the team's managers or leads. The **summary** is a weekly nudge for the whole
team: how many people have training due in the coming days and their names, nothing about what,
how late or how well.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from lms.i18n import format_date
from lms.reminders.compose import SIGNATURE, OverdueLine, SalesCount, overdue_by

#: Lines a section lists before "... and 12 more": a card stays readable and well under the
#: services' size limits (Teams: 28 KB, Slack: 50 blocks of 3,000 characters).
MAX_LINES = 25
CARD_VERSION = "1.4"
SLACK_SECTION_CHARS = 2900


@dataclass(frozen=True)
class Section:
    heading: str
    #: (who, what) pairs
    lines: tuple[tuple[str, str], ...]
    #: lines left out after MAX_LINES
    more: int = 0


@dataclass(frozen=True)
class ChatMessage:
    title: str
    intro: str
    sections: tuple[Section, ...]
    link: str
    link_label: str


def _section(heading: str, lines: Sequence[tuple[str, str]]) -> Section:
    return Section(heading, tuple(lines[:MAX_LINES]), max(0, len(lines) - MAX_LINES))


def team_digest(team: str, overdue: Sequence[OverdueLine], sales: Sequence[SalesCount],
                today: date, open_days: int, link: str) -> ChatMessage:
    """The daily digest of one team: overdue training per person and the customers waiting."""
    if not overdue and not sales:
        raise ValueError("a digest needs at least one line")
    sections = []
    if overdue:
        overdue = sorted(overdue, key=lambda ln: (ln.person, -ln.days_overdue, ln.title))
        sections.append(_section(
            ngettext("Overdue training: %(num)d item", "Overdue training: %(num)d items",
                     len(overdue)),
            [(ln.person, _("%(title)s, due %(day)s, %(overdue)s", title=ln.title,
                           day=format_date(ln.due_date), overdue=overdue_by(ln.days_overdue)))
             for ln in overdue]))
    if sales:
        sales = sorted(sales, key=lambda c: c.person)
        sections.append(_section(
            _("Customers waiting: follow-ups past their days, complaints open longer than "
              "%(days)s", days=ngettext("%(num)d day", "%(num)d days", open_days)),
            [(c.person, _("%(overdue)s, %(complaints)s",
                          overdue=ngettext("%(num)d follow-up overdue",
                                           "%(num)d follow-ups overdue", c.overdue),
                          complaints=ngettext("%(num)d complaint open long",
                                              "%(num)d complaints open long", c.long_open)))
             for c in sales]))
    return ChatMessage(
        title=_("%(team)s: overdue training and customers waiting", team=team),
        intro=_("The digest for %(day)s. Managers can change a due date or record a follow-up "
                "in Verkoopklaar.", day=format_date(today, long=True)),
        sections=tuple(sections), link=link, link_label=_("Open Verkoopklaar"))


def team_summary(team: str, names: Sequence[str], days: int, link: str) -> ChatMessage:
    """The weekly summary for a whole team: who has training due soon (names only)."""
    if not names:
        raise ValueError("a summary needs at least one person")
    names = sorted(set(names))
    shown = names[:MAX_LINES]
    listed = ", ".join(shown)
    if len(names) > len(shown):
        listed = ngettext("%(names)s and %(num)d more", "%(names)s and %(num)d more",
                          len(names) - len(shown), names=listed)
    intro = ngettext("%(num)d person has training due in the next %(days)s: %(names)s.",
                     "%(num)d people have training due in the next %(days)s: %(names)s.",
                     len(names), days=ngettext("%(num)d day", "%(num)d days", days),
                     names=listed)
    return ChatMessage(
        title=_("%(team)s: training due this week", team=team),
        intro=intro + " " + _("Open My training in Verkoopklaar to finish it in time."),
        sections=(), link=link, link_label=_("Open My training"))


# The payloads -----------------------------------------------------------------------------------

def teams_payload(message: ChatMessage) -> dict[str, Any]:
    """A Teams Workflows ("When a Teams webhook request is received") message: one Adaptive
    Card attachment. The retired Office 365 connectors' MessageCard is not used."""
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": _card(message.title), "size": "Medium",
         "weight": "Bolder", "wrap": True},
        {"type": "TextBlock", "text": _card(message.intro), "wrap": True},
    ]
    for section in message.sections:
        body.append({"type": "TextBlock", "text": _card(section.heading), "weight": "Bolder",
                     "wrap": True, "spacing": "Medium"})
        body.append({"type": "FactSet",
                     "facts": [{"title": _card(who), "value": _card(what)}
                               for who, what in section.lines]})
        if section.more:
            body.append({"type": "TextBlock", "text": _more(section.more), "isSubtle": True,
                         "wrap": True})
    body.append({"type": "TextBlock", "text": str(SIGNATURE), "isSubtle": True,
                 "size": "Small", "wrap": True})
    card = {"type": "AdaptiveCard",
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "version": CARD_VERSION, "body": body,
            "actions": [{"type": "Action.OpenUrl", "title": message.link_label,
                         "url": message.link}],
            "msteams": {"width": "Full"}}
    return {"type": "message",
            "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive",
                             "contentUrl": None, "content": card}]}


def slack_payload(message: ChatMessage) -> dict[str, Any]:
    """A Slack incoming-webhook message: Block Kit blocks, and ``text`` for notifications and
    clients that show no blocks."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": message.title[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": _slack(message.intro)}},
    ]
    text = [message.title, message.intro]
    for section in message.sections:
        lines = [f"*{_slack(section.heading)}*",
                 *(f"• *{_slack(who)}*: {_slack(what)}" for who, what in section.lines)]
        if section.more:
            lines.append(_slack(_more(section.more)))
        for chunk in _chunks(lines, SLACK_SECTION_CHARS):
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": chunk}})
        text.append(section.heading)
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": (
        f"<{message.link}|{_slack(message.link_label)}> · {_slack(str(SIGNATURE))}")}]})
    # ``text`` is what notifications show, and Slack reads its <!channel> and <links> too.
    return {"text": _slack("\n".join(text)), "blocks": blocks}


def _more(count: int) -> str:
    return ngettext("… and %(num)d more in Verkoopklaar", "… and %(num)d more in Verkoopklaar",
                    count)


def _card(text: str) -> str:
    """Teams reads a card's texts and facts as Markdown, where [words](address) is a link: a
    name or title written that way (an identity provider's claim, say) must not put a
    disguised link in the channel. A zero-width space between "]" and "(" unmakes it."""
    return text.replace("](", "]\u200b(")


def _slack(text: str) -> str:
    """Slack's three control characters, escaped as its docs ask: a name with "<" or "&" in
    it shows as written and cannot make a link or a mention."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _chunks(lines: list[str], limit: int) -> list[str]:
    chunks: list[str] = []
    current = ""
    for line in lines:
        line = line[:limit]
        if current and len(current) + 1 + len(line) > limit:
            chunks.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    return chunks
