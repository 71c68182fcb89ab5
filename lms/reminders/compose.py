"""The reminder mails' text: pure functions from plain values to a ``Mail`` (plain text plus a
simple HTML alternative). Nothing here reads the database or sends anything.

The text is in the language being spoken (``lms.i18n``): the caller composes each person's mail
inside ``speaking(their locale)``; dates are written the way that language writes them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup, escape

from lms.i18n import _l, format_date, locale_code

SIGNATURE = _l("Verkoopklaar sales training")


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


@dataclass(frozen=True)
class SalesLine:
    """A follow-up past its days or a complaint open long, in a salesperson's mail."""

    kind: str  # "follow_up" or "complaint"
    customer: str
    deal: str
    #: follow-up: the last day it counted; complaint: the day it was made
    day: date
    #: follow-up: days overdue; complaint: days open
    days: int


@dataclass(frozen=True)
class SalesCount:
    """One person's overdue follow-ups and long-open complaints, in a manager's digest."""

    person: str
    team: str | None
    overdue: int
    long_open: int


def when_due(days_left: int) -> str:
    """'due today', 'due tomorrow', 'due in 3 days', '1 day overdue' ..."""
    if days_left < 0:
        return overdue_by(-days_left)
    if days_left == 0:
        return _("due today")
    if days_left == 1:
        return _("due tomorrow")
    return ngettext("due in %(num)d day", "due in %(num)d days", days_left)


def overdue_by(days: int) -> str:
    return ngettext("%(num)d day overdue", "%(num)d days overdue", days)


def _kind(item: DueItem) -> str:
    return _("learning path") if item.kind == "path" else _("module")


def _greeting(name: str) -> str:
    first = name.split(" ")[0] if name else ""
    return _("Hello %(name)s,", name=first) if first else _("Hello there,")


def _strong(text: str) -> Markup:
    return Markup("<strong>%s</strong>") % text


def _item_line(item: DueItem, *, html: bool = False) -> str:
    """"Pricing (module): due 3 Mar 2026, due in 2 days"; in HTML the title strong and the
    deadline emphasised (the values escaped, the sentence is ours)."""
    title, when = item.title, when_due(item.days_left)
    if html:
        title, when = _strong(title), Markup("<em>%s</em>") % when
    return _("%(title)s (%(kind)s): due %(day)s, %(when)s", title=title, kind=_kind(item),
             day=format_date(item.due_date), when=when)


def _learner_closing(page: str) -> str:
    return _("Log in to Verkoopklaar and open %(page)s to continue where you left off. If a "
             "date cannot be met, talk to your manager.", page=page)


def _digest_closing(page: str) -> str:
    return _("The %(page)s page in Verkoopklaar shows the details; you can change a due date "
             "there.", page=page)


def _sales_line(line: SalesLine, *, html: bool = False) -> str:
    """"Follow up Acme (deal OPP-1): the follow-up days ended on 3 Mar 2026, 5 days overdue";
    "Complaint of Acme (deal OPP-2): open since 1 Mar 2026, 12 days"."""
    customer, deal = line.customer, line.deal
    if html:
        customer, deal = _strong(customer), escape(deal)
    if line.kind == "follow_up":
        return _("Follow up %(customer)s (deal %(deal)s): the follow-up days ended on %(day)s, "
                 "%(overdue)s", customer=customer, deal=deal, day=format_date(line.day),
                 overdue=overdue_by(line.days))
    return _("Complaint of %(customer)s (deal %(deal)s): open since %(day)s, %(days)s",
             customer=customer, deal=deal, day=format_date(line.day), days=_days(line.days))


def _sales_part(sales: Sequence[SalesLine]) -> tuple[list[str], str]:
    """The follow-ups and complaints part of a salesperson's mail: text lines and HTML."""
    if not sales:
        return [], ""
    intro = _("Customers are waiting for you:")
    closing = _("Open %(page)s in Verkoopklaar to record what you did.",
                page=_("My follow-ups"))
    page = _strong(_("My follow-ups"))
    rows = "".join(f"<li>{_sales_line(line, html=True)}</li>" for line in sales)
    text = [intro, "", *("- " + _sales_line(line) for line in sales), "", closing, ""]
    html = (f"<p>{escape(intro)}</p><ul>{rows}</ul>"
            f"<p>{_('Open %(page)s in Verkoopklaar to record what you did.', page=page)}</p>")
    return text, html


def learner_mail(name: str, email: str, items: Sequence[DueItem],
                 sales: Sequence[SalesLine] = ()) -> Mail:
    """One mail for one learner, covering every item they are reminded of today, and the
    follow-ups past their days and complaints open long (``sales``), if any."""
    if not items and not sales:
        raise ValueError("a reminder needs at least one item")
    sales = sorted(sales, key=lambda s: (s.kind != "follow_up", s.day, s.deal))
    sales_text, sales_html = _sales_part(sales)
    if not items:
        subject = ngettext("Follow-ups and complaints: %(num)d customer waiting",
                           "Follow-ups and complaints: %(num)d customers waiting", len(sales))
        greeting = _greeting(name)
        text = "\n".join([greeting, "", *sales_text, str(SIGNATURE), ""])
        html = f"<p>{escape(greeting)}</p>{sales_html}<p>{escape(SIGNATURE)}</p>"
        return Mail(email, subject, text, _page(subject, html))
    items = sorted(items, key=lambda i: (i.days_left, i.title))
    overdue = [i for i in items if i.days_left < 0]
    if len(items) == 1:
        only = items[0]
        subject = (_("Overdue: %(title)s", title=only.title) if overdue
                   else _("Reminder: %(title)s is %(when)s", title=only.title,
                          when=when_due(only.days_left)))
    elif overdue:
        subject = ngettext("Overdue training: %(num)d item past the due date",
                           "Overdue training: %(num)d items past the due date", len(overdue))
    else:
        subject = ngettext("Reminder: %(num)d training item due soon",
                           "Reminder: %(num)d training items due soon", len(items))
    greeting = _greeting(name)
    opening = (_("Some of your training is past its due date.") if overdue
               else _("Some of your training is due soon."))
    lines = ["- " + _item_line(i) for i in items]
    text = "\n".join([greeting, "", opening, "", *lines, "",
                      _learner_closing(_("My training")), "", *sales_text, str(SIGNATURE), ""])
    rows = "".join(f"<li>{_item_line(i, html=True)}</li>" for i in items)
    page = _strong(_("My training"))
    html = (f"<p>{escape(greeting)}</p><p>{escape(opening)}</p><ul>{rows}</ul>"
            f"<p>{_learner_closing(page)}</p>{sales_html}"
            f"<p>{escape(SIGNATURE)}</p>")
    return Mail(email, subject, text, _page(subject, html))


def booster_mail(name: str, email: str, count: int, question: str, link: str,
                 account_link: str) -> Mail:
    """A learner's daily boosters: how many wait, the first question (plain text, no answers)
    and a link to them on the dashboard; the account page is where the mails stop."""
    if count < 1:
        raise ValueError("a booster mail needs at least one booster")
    subject = ngettext("%(num)d booster waits for you", "%(num)d boosters wait for you", count)
    greeting = _greeting(name)
    opening = ngettext("A minute to keep what you learned: %(num)d question waits for you "
                       "today. The first one:",
                       "A minute to keep what you learned: %(num)d questions wait for you "
                       "today. The first one:", count)
    answer = _("Answer it on your dashboard:")
    stop = _("Rather not get these mails? Switch them off on your account page:")
    button, account = _("Answer my boosters"), _("Your account")
    text = "\n".join([greeting, "", opening, "", f"  {question}", "", answer, link, "",
                      stop, account_link, "", str(SIGNATURE), ""])
    html = (f"<p>{escape(greeting)}</p><p>{escape(opening)}</p>"
            f"<blockquote>{escape(question)}</blockquote>"
            f"<p><a href=\"{escape(link)}\">{escape(button)}</a></p>"
            f"<p>{escape(stop)} <a href=\"{escape(account_link)}\">{escape(account)}</a></p>"
            f"<p>{escape(SIGNATURE)}</p>")
    return Mail(email, subject, text, _page(subject, html))


def _overdue_line(line: OverdueLine, *, html: bool = False) -> str:
    person, title = line.person, line.title
    if html:
        person, title = escape(person), escape(title)
    values = {"person": person, "title": title, "day": format_date(line.due_date),
              "overdue": overdue_by(line.days_overdue)}
    if line.team:
        return _("%(person)s (%(team)s): %(title)s, due %(day)s, %(overdue)s",
                 team=escape(line.team) if html else line.team, **values)
    return _("%(person)s: %(title)s, due %(day)s, %(overdue)s", **values)


def _sales_digest(sales: Sequence[SalesCount], open_days: int) -> tuple[list[str], str]:
    """The digest's part on follow-ups and complaints: text lines and an HTML table."""
    if not sales:
        return [], ""
    intro = _("Customers waiting in your teams: follow-ups past their days and complaints open "
              "longer than %(days)s:", days=_days(open_days))

    def line(c: SalesCount) -> str:
        counts = _("%(overdue)s, %(complaints)s",
                   overdue=ngettext("%(num)d follow-up overdue", "%(num)d follow-ups overdue",
                                    c.overdue),
                   complaints=ngettext("%(num)d complaint open long",
                                       "%(num)d complaints open long", c.long_open))
        return (_("%(person)s (%(team)s): %(counts)s", person=c.person, team=c.team,
                  counts=counts) if c.team
                else _("%(person)s: %(counts)s", person=c.person, counts=counts))

    closing = _digest_sales_closing(_("Follow-ups"))
    text = [intro, "", *("- " + line(c) for c in sales), "", closing, ""]
    headers = "".join(f"<th>{escape(h)}</th>" for h in (
        _("Person"), _("Team"), _("Follow-ups overdue"), _("Complaints open long")))
    rows = "".join(f"<tr><td>{escape(c.person)}</td><td>{escape(c.team or '—')}</td>"
                   f"<td>{c.overdue}</td><td>{c.long_open}</td></tr>" for c in sales)
    html = (f"<p>{escape(intro)}</p>"
            "<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\"><thead><tr>"
            f"{headers}</tr></thead><tbody>{rows}</tbody></table>"
            f"<p>{_digest_sales_closing(_strong(_('Follow-ups')))}</p>")
    return text, html


def _digest_sales_closing(page: str) -> str:
    return _("The %(page)s page in Verkoopklaar lists each deal; you can record a follow-up or "
             "resolution there.", page=page)


def manager_digest(name: str, email: str, lines: Sequence[OverdueLine], today: date,
                   sales: Sequence[SalesCount] = (), open_days: int = 7) -> Mail:
    """A manager's daily list of the overdue training in their teams (and the teams below),
    and of their people's follow-ups past their days and complaints open longer than
    ``open_days`` (``sales``)."""
    if not lines and not sales:
        raise ValueError("a digest needs at least one overdue item")
    sales = sorted(sales, key=lambda c: (c.team or "", c.person))
    sales_text, sales_html = _sales_digest(sales, open_days)
    if not lines:
        subject = _("Follow-ups and complaints in your teams: %(people)s",
                    people=ngettext("%(num)d person", "%(num)d people", len(sales)))
        greeting = _greeting(name)
        text = "\n".join([greeting, "", *sales_text, str(SIGNATURE), ""])
        html = f"<p>{escape(greeting)}</p>{sales_html}<p>{escape(SIGNATURE)}</p>"
        return Mail(email, subject, text, _page(subject, html))
    lines = sorted(lines, key=lambda ln: (ln.team or "", ln.person, -ln.days_overdue, ln.title))
    people = len({ln.person for ln in lines})
    subject = _("Overdue training in your teams: %(items)s, %(people)s",
                items=ngettext("%(num)d item", "%(num)d items", len(lines)),
                people=ngettext("%(num)d person", "%(num)d people", people))
    greeting = _greeting(name)
    intro = _("On %(day)s this training in your teams is overdue:",
              day=format_date(today, long=True))
    text = "\n".join([greeting, "", intro, "", *("- " + _overdue_line(ln) for ln in lines), "",
                      _digest_closing(_("Assignments")), "", *sales_text, str(SIGNATURE), ""])
    rows = "".join(
        f"<tr><td>{escape(ln.person)}</td><td>{escape(ln.team or '—')}</td>"
        f"<td>{escape(ln.title)}</td><td>{format_date(ln.due_date)}</td>"
        f"<td>{escape(_days(ln.days_overdue))}</td></tr>"
        for ln in lines)
    page = _strong(_("Assignments"))
    headers = "".join(f"<th>{escape(h)}</th>" for h in (
        _("Person"), _("Team"), _("Training"), _("Due"), _("Overdue by")))
    html = (f"<p>{escape(greeting)}</p><p>{escape(intro)}</p>"
            "<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\"><thead><tr>"
            f"{headers}</tr></thead><tbody>{rows}</tbody></table>"
            f"<p>{_digest_closing(page)}</p>{sales_html}<p>{escape(SIGNATURE)}</p>")
    return Mail(email, subject, text, _page(subject, html))


def _days(n: int) -> str:
    return ngettext("%(num)d day", "%(num)d days", n)


def _page(title: str, body: str) -> str:
    return (f"<!doctype html><html lang=\"{locale_code()}\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)}</title></head><body>{body}</body></html>")
