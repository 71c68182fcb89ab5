"""Template globals: the navigation for each role (formatting filters: lms/i18n.py)."""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_login import current_user

from lms.i18n import _l
from lms.learning.catalog import shown_title
from lms.models import Role

MANAGE_PREFIXES = ("manage.", "reports.", "assignments.", "sales_reports.", "sales.",
                   "coaching.", "team_followups.", "boosters_admin.")

ADMIN_PREFIXES = ("admin.", "settings.", "admin_tokens.", "chat.")

# (endpoint, label, roles that see it, endpoint prefixes it is "current" for); admins see all.
NAVIGATION = (
    ("learn.dashboard", _l("My training"), {Role.LEARNER, Role.TRAINER, Role.MANAGER},
     ("learn.", "quiz.")),
    ("goals.index", _l("My goals"), {Role.LEARNER, Role.TRAINER, Role.MANAGER}, ("goals.",)),
    # Anyone who sells: salespeople, managers who sell, a self-employed admin (admins see all).
    ("results.index", _l("My results"), {Role.LEARNER, Role.MANAGER}, ("results.",)),
    ("followups.index", _l("My follow-ups"), {Role.LEARNER}, ("followups.",)),
    ("my_coaching.index", _l("My coaching"), {Role.LEARNER}, ("my_coaching.",)),
    ("author.index", _l("Content"), {Role.TRAINER}, ("author.", "author_reactions.")),
    ("question_stats.index", _l("Question statistics"), {Role.TRAINER}, ("question_stats.",)),
    ("manage.index", _l("My teams"), {Role.MANAGER}, MANAGE_PREFIXES),
    # The site's administration is one entry with a row of tabs, as the manager's pages are.
    ("admin.users", _l("Administration"), set(), ADMIN_PREFIXES),
)

# The manager's pages share one top-level entry and a row of tabs (endpoint, label, prefixes).
MANAGE_TABS = (
    ("manage.index", _l("Team overview"), ("manage.",)),
    ("reports.readiness", _l("Readiness"), ("reports.",)),
    ("assignments.index", _l("Assignments"), ("assignments.",)),
    ("coaching.index", _l("Coaching"), ("coaching.",)),
    ("sales_reports.performance", _l("Sales performance"), ("sales_reports.performance",)),
    ("sales_reports.impact", _l("Training impact"), ("sales_reports.impact",)),
    ("team_followups.index", _l("Follow-ups"), ("team_followups.",)),
    ("sales.index", _l("Sales data"), ("sales.",)),
    ("question_stats.index", _l("Question statistics"), ("question_stats.",)),
    ("boosters_admin.index", _l("Boosters"), ("boosters_admin.",)),
)


# The administration's tabs (endpoint, label, prefixes).
ADMIN_TABS = (
    ("admin.users", _l("People"), ("admin.users", "admin.new_user", "admin.edit_user",
                                   "admin.import_people", "admin.confirm_import")),
    ("admin.teams", _l("Teams"), ("admin.teams", "admin.new_team", "admin.edit_team")),
    ("settings.index", _l("Settings"), ("settings.",)),
    ("admin_tokens.index", _l("API tokens"), ("admin_tokens.",)),
    ("chat.index", _l("Team chat"), ("chat.",)),
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


def section_tabs() -> tuple[str, list[tuple[str, str, bool]]]:
    """(the tab row's name, its tabs) above every page of the manager's or the admin's
    section; no tabs elsewhere or for people who may not open the section."""
    here = request.endpoint or ""
    if not current_user.is_authenticated:
        return "", []
    if here.startswith(ADMIN_PREFIXES) and current_user.has_role(Role.ADMIN):
        name, tabs = str(_l("Administration")), ADMIN_TABS
    elif (here.startswith(MANAGE_PREFIXES + ("question_stats.",))
          and current_user.has_role(Role.MANAGER, Role.ADMIN)):
        name, tabs = str(_l("Team pages")), MANAGE_TABS
    else:
        return "", []
    return name, [(endpoint, label, here.startswith(prefixes))
                  for endpoint, label, prefixes in tabs
                  if endpoint.split(".")[0] in current_app.blueprints]


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(nav_items=nav_items, section_tabs=section_tabs, Role=Role,
                                 shown_title=shown_title)
