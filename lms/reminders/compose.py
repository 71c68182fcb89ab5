"""The reminder mails' text: pure functions from plain values to a ``Mail`` (plain text plus a
simple HTML alternative). Nothing here reads the database or sends anything."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import escape

SIGNATURE = "Verkoopklaar sales training"


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class DueItem:
    """One assignment a learner is reminded of."""

    title: str
    kind: str  # "path" or "module"
    due_date: date
    #: Negative when overdue.
    days_left: int


@dataclass(frozen=True)
class OverdueLine:
    """One overdue assignment in a manager's digest."""

    person: str
    team: str | None
    title: str
    due_date: date
    days_overdue: int


def plural(n: int, word: str) -> str:
    if word == "person":
        return f"{n} {'person' if n == 1 else 'people'}"
    return f"{n} {word}" + ("" if n == 1 else "s")


def format_date(day: date) -> str:
    """As the site shows dates: 3 Mar 2026."""
    return f"{day.day} {day:%b %Y}"


def when_due(days_left: int) -> str:
    """'due today', 'due tomorrow', 'due in 3 days', '1 day overdue' ..."""
    if days_left < 0:
        return f"{plural(-days_left, 'day')} overdue"
    if days_left == 0:
        return "due today"
    if days_left == 1:
        return "due tomorrow"
    return f"due in {plural(days_left, 'day')}"


def _kind(item: DueItem) -> str:
    return "learning path" if item.kind == "path" else "module"


def learner_mail(name: str, email: str, items: Sequence[DueItem]) -> Mail:
    """One mail for one learner, covering every item they are reminded of today."""
    if not items:
        raise ValueError("a reminder needs at least one item")
    items = sorted(items, key=lambda i: (i.days_left, i.title))
    overdue = [i for i in items if i.days_left < 0]
    if len(items) == 1:
        only = items[0]
        subject = (f"Overdue: {only.title}" if overdue
                   else f"Reminder: {only.title} is {when_due(only.days_left)}")
    elif overdue:
        subject = f"Overdue training: {plural(len(overdue), 'item')} past the due date"
    else:
        subject = f"Reminder: {plural(len(items), 'training item')} due soon"
    first = name.split(" ")[0] if name else "there"
    opening = ("Some of your training is past its due date." if overdue
               else "Some of your training is due soon.")
    lines = [f"- {i.title} ({_kind(i)}): due {format_date(i.due_date)}, {when_due(i.days_left)}"
             for i in items]
    text = "\n".join([f"Hello {first},", "", opening, "", *lines, "",
                      "Log in to Verkoopklaar and open My training to continue where you "
                      "left off. If a date cannot be met, talk to your manager.", "",
                      SIGNATURE, ""])
    rows = "".join(f"<li><strong>{escape(i.title)}</strong> ({_kind(i)}): due "
                   f"{format_date(i.due_date)}, <em>{when_due(i.days_left)}</em></li>"
                   for i in items)
    html = (f"<p>Hello {escape(first)},</p><p>{opening}</p><ul>{rows}</ul>"
            "<p>Log in to Verkoopklaar and open <strong>My training</strong> to continue where "
            "you left off. If a date cannot be met, talk to your manager.</p>"
            f"<p>{SIGNATURE}</p>")
    return Mail(email, subject, text, _page(subject, html))


def manager_digest(name: str, email: str, lines: Sequence[OverdueLine], today: date) -> Mail:
    """A manager's daily list of the overdue training in their teams (and the teams below)."""
    if not lines:
        raise ValueError("a digest needs at least one overdue item")
    lines = sorted(lines, key=lambda ln: (ln.team or "", ln.person, -ln.days_overdue, ln.title))
    people = len({ln.person for ln in lines})
    subject = (f"Overdue training in your teams: {plural(len(lines), 'item')}, "
               f"{plural(people, 'person')}")
    first = name.split(" ")[0] if name else "there"
    text_lines = [f"- {ln.person}" + (f" ({ln.team})" if ln.team else "")
                  + f": {ln.title}, due {format_date(ln.due_date)}, "
                  f"{plural(ln.days_overdue, 'day')} overdue" for ln in lines]
    text = "\n".join([f"Hello {first},", "",
                      f"On {format_date(today)} this training in your teams is overdue:", "",
                      *text_lines, "",
                      "The Assignments page in Verkoopklaar shows the details; you can change "
                      "a due date there.", "", SIGNATURE, ""])
    rows = "".join(
        f"<tr><td>{escape(ln.person)}</td><td>{escape(ln.team or '—')}</td>"
        f"<td>{escape(ln.title)}</td><td>{format_date(ln.due_date)}</td>"
        f"<td>{plural(ln.days_overdue, 'day')}</td></tr>" for ln in lines)
    html = (f"<p>Hello {escape(first)},</p>"
            f"<p>On {format_date(today)} this training in your teams is overdue:</p>"
            "<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\"><thead><tr>"
            "<th>Person</th><th>Team</th><th>Training</th><th>Due</th><th>Overdue by</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>"
            "<p>The <strong>Assignments</strong> page in Verkoopklaar shows the details; you "
            f"can change a due date there.</p><p>{SIGNATURE}</p>")
    return Mail(email, subject, text, _page(subject, html))


def _page(title: str, body: str) -> str:
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)}</title></head><body>{body}</body></html>")
