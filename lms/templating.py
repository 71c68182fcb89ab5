"""Template globals and filters: the navigation for each role, dates shown the same everywhere."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, request
from flask_login import current_user

from lms.models import Role

MANAGE_PREFIXES = ("manage.", "reports.", "assignments.", "sales_reports.", "sales.")

# (endpoint, label, roles that see it, endpoint prefixes it is "current" for); admins see all.
NAVIGATION = (
    ("learn.dashboard", "My training", {Role.LEARNER, Role.TRAINER, Role.MANAGER},
     ("learn.", "quiz.")),
    ("goals.index", "My goals", {Role.LEARNER, Role.TRAINER, Role.MANAGER}, ("goals.",)),
    ("author.index", "Content", {Role.TRAINER}, ("author.",)),
    ("question_stats.index", "Question statistics", {Role.TRAINER}, ("question_stats.",)),
    ("manage.index", "My teams", {Role.MANAGER}, MANAGE_PREFIXES),
    ("admin.users", "People", set(), ("admin.users", "admin.new_user", "admin.edit_user",
                                      "admin.import_people", "admin.confirm_import")),
    ("admin.teams", "Teams", set(), ("admin.teams", "admin.new_team", "admin.edit_team")),
    ("settings.index", "Settings", set(), ("settings.",)),
    ("admin_tokens.index", "API tokens", set(), ("admin_tokens.",)),
)

# The manager's pages share one top-level entry and a row of tabs (endpoint, label, prefixes).
MANAGE_TABS = (
    ("manage.index", "Team overview", ("manage.",)),
    ("reports.readiness", "Readiness", ("reports.",)),
    ("assignments.index", "Assignments", ("assignments.",)),
    ("sales_reports.performance", "Sales performance", ("sales_reports.performance",)),
    ("sales_reports.impact", "Training impact", ("sales_reports.impact",)),
    ("sales.index", "Sales data", ("sales.",)),
    ("question_stats.index", "Question statistics", ("question_stats.",)),
)


def nav_items() -> list[tuple[str, str, bool]]:
    """(endpoint, label, is current page) for the logged-in person's role."""
    if not current_user.is_authenticated:
        return []
    role = current_user.role_enum
    here = request.endpoint or ""
    return [
        (endpoint, label, here.startswith(prefixes))
        for endpoint, label, roles, prefixes in NAVIGATION
        if role is Role.ADMIN or role in roles
    ]


def local(value: datetime) -> datetime:
    """A stored UTC time in the organisation's time zone (LMS_TIMEZONE)."""
    return value.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))


def manage_tabs() -> list[tuple[str, str, bool]]:
    """The tabs above every manager page; empty elsewhere and for people who are not managers."""
    here = request.endpoint or ""
    if (not current_user.is_authenticated
            or not current_user.has_role(Role.MANAGER, Role.ADMIN)
            or not here.startswith(MANAGE_PREFIXES + ("question_stats.",))):
        return []
    return [(endpoint, label, here.startswith(prefixes))
            for endpoint, label, prefixes in MANAGE_TABS if endpoint.split(".")[0] in
            current_app.blueprints]


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = local(value)
    return value.strftime("%-d %b %Y")


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return "—"
    return local(value).strftime("%-d %b %Y, %H:%M")


def format_time(value: datetime | None) -> str:
    return "—" if value is None else local(value).strftime("%H:%M")


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(nav_items=nav_items, manage_tabs=manage_tabs, Role=Role)
    app.jinja_env.filters.update(date=format_date, datetime=format_datetime, time=format_time)
