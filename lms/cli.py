"""The ``lms`` command group: every command is a thin shell over a service.

The commands are registered on ``app.cli`` by ``register_commands``, so ``lms`` (a FlaskGroup
that builds the app) and the test runner see the same set. Flask's own commands come along
(``lms run``, ``lms shell``, ``lms routes``, ``lms db ...``).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from lms.errors import DomainError
from lms.extensions import db
from lms.inputs import ID
from lms.maintenance.commands import (
    backup_command,
    checked_run_command,
    guard_commands,
    needs_no_schema,
    restore_command,
)
from lms.maintenance.schema import safe_url


def _create_app() -> Flask:
    from lms import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, load_dotenv=False,
             help="Verkoopklaar: the sales-training LMS.")
def main() -> None:
    pass


# `lms run` refuses to serve a database that is missing, unreachable or not migrated.
main.add_command(checked_run_command)


def register_commands(app: Flask) -> None:
    from lms.analytics.commands import report_group
    from lms.content.commands import content_cli
    from lms.learning.rollout_commands import rollouts_cli
    from lms.reminders.commands import reminders_cli
    from lms.sales.commands import sales_cli

    for command in (init_command, demo_command, users_group, content_cli, token_group,
                    reminders_cli, sales_cli, report_group, rollouts_cli, backup_command,
                    restore_command):
        app.cli.add_command(command)
    # xAPI: `lms xapi export`, `lms xapi push`.
    from lms.xapi.commands import xapi_cli

    app.cli.add_command(xapi_cli)
    # `lms report sales` and `lms report impact` join the report group.
    from lms.analytics.sales_commands import impact_command, sales_command

    report_group.add_command(sales_command)
    report_group.add_command(impact_command)
    # `lms report follow-ups`: the follow-ups page's lists.
    from lms.sales.followup_commands import followups_command

    report_group.add_command(followups_command)
    # `lms sales sync hubspot|salesforce`: deals from a CRM's API.
    from lms.sales.sync_commands import sync_command

    sales_cli.add_command(sync_command)
    # `lms report retention`: retention from spaced boosters.
    from lms.boosters.commands import retention_command

    report_group.add_command(retention_command)
    # Flask-Migrate's `lms db ...` manage the schema themselves.
    needs_no_schema(app.cli.commands["db"])
    guard_commands(app.cli)


@needs_no_schema
@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create the database, or upgrade it to the newest schema."""
    from flask_migrate import upgrade

    upgrade()
    click.echo(_("Database ready: %(url)s",
                 url=safe_url(current_app.config["SQLALCHEMY_DATABASE_URI"])))


def _parse_effects(ctx: click.Context, param: click.Parameter,
                   value: tuple[str, ...]) -> tuple | None:
    """--effect PATH:MEASURE=DELTA, checked before anything is built; none given: None (the
    built-in effects)."""
    from lms.demo import EffectError, parse_effects

    if not value:
        return None
    try:
        return parse_effects(value)
    except EffectError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing (but print the logins) if the "
              "database already has people.")


@click.option("--seed", default=2026, show_default=True, help="Random seed of the generator.")
@click.option("--people", default=36, show_default=True, type=click.IntRange(6, 2000),
              help="Number of salespeople; past 36 each region gets sub-teams of at most 12.")
@click.option("--design", default="self-paced", show_default=True,
              type=click.Choice(["self-paced", "randomised", "staggered"]),
              help="How Customer insight was given: after three months each, or in a "
                   "randomised rollout (180 days ago, waitlist 90 days later) or four "
                   "staggered waves (from 330 days ago, 60 days apart).")


@click.option("--effect", "effects", multiple=True, metavar="PATH:MEASURE=DELTA",
              callback=_parse_effects,
              help="A constant effect of completing PATH on later deals (repeatable), e.g. "
                   "customer-insight:follow_up_rate=0.08; given, these are the only effects "
                   "on sales instead of the built-in score-dependent ones.")
@with_appcontext
def demo_command(if_empty: bool, seed: int, people: int, design: str,
                 effects: tuple | None) -> None:
    """Load the demo organisation (people, teams and their history). Syncs the training
    content first if none was synced yet."""
    from lms.demo import (
        DEMO_PASSWORD,
        build_demo,
        database_is_empty,
        demo_logins,
        demo_people_count,
        missing_paths,
    )

    if not database_is_empty():
        if not if_empty:
            _fail(_("The database already has people; the demo loads into an empty database "
                    "only."))
        click.echo(_("The database already has people; demo not loaded again."))
        # The logins of the demo loaded before, whatever its size.
        people = demo_people_count() or people
    else:
        _sync_content_if_none()
        missing = missing_paths()
        if missing:
            _fail(_("the demo follows the learning paths %(paths)s, which are not in the "
                    "catalogue: check LMS_CONTENT_DIR and LMS_QUIZ_DIR, then run "
                    "`lms content sync`.", paths=", ".join(missing)))
        from lms.progress import PhaseBars

        bars = PhaseBars(_aligned({"training": _("Training history"), "deals": _("Deals"),
                                   "checking": _("Checking export"),
                                   "writing": _("Importing deals")}))
        try:
            with bars:
                summary = build_demo(seed=seed, people=people, design=design, effects=effects,
                                     progress=bars)
        except DomainError as exc:
            db.session.rollback()
            _fail(str(exc))
        db.session.commit()
        click.echo(_("Demo organisation loaded: %(summary)s.", summary=summary))
    click.echo("\n" + _("Demo logins (password for all: %(password)s):", password=DEMO_PASSWORD))
    for email, what in demo_logins(people):
        click.echo(f"  {email:<24} {what}")


def _sync_content_if_none() -> None:
    """As `make run` does before the demo: a demo on an empty catalogue has no training."""
    from sqlalchemy import select

    from lms.content.commands import sync_configured_content
    from lms.models import ContentItem

    if db.session.scalar(select(ContentItem.id).limit(1)) is not None:
        return
    click.echo(_("No training content in the database yet: syncing it first "
                 "(as `lms content sync` does)."))
    report = sync_configured_content()
    db.session.commit()
    click.echo(_("Content synced: %(summary)s.", summary=report.summary()))
    for problem in report.skipped:
        click.echo(_("skipped: %(problem)s", problem=problem), err=True)


@click.group("users")
def users_group() -> None:
    """Manage people."""


@users_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--update", "update_existing", is_flag=True,
              help="Update people who already have an account instead of refusing them.")
@click.option("--dry-run", is_flag=True, help="Check the file and show what would change.")
@click.option("--passwords-out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the new accounts' temporary passwords to this CSV file "
                   "(default: print them).")
@with_appcontext
def users_import_command(file: Path, update_existing: bool, dry_run: bool,
                         passwords_out: Path | None) -> None:
    """Import people from a CSV file (email, name, role, team, manager_email, hire_date,
    crm_name). A file with any bad row imports nothing."""
    from lms.people.importer import apply_import, plan_import

    plan = plan_import(file.read_bytes(), filename=file.name, update_existing=update_existing)
    if not plan.ok:
        for error in plan.errors:
            click.echo(f"{file}:{error.line}: " + (f"{error.column}: " if error.column else "")
                       + error.message, err=True)
        _fail(ngettext("%(num)d problem found; nothing was imported.",
                       "%(num)d problems found; nothing was imported.", len(plan.errors)))
    if plan.teams_to_create:
        click.echo(_("%(file)s: %(new)d new, %(update)d to update, new teams: %(teams)s",
                     file=file, new=plan.new_count, update=plan.update_count,
                     teams=", ".join(plan.teams_to_create)))
    else:
        click.echo(_("%(file)s: %(new)d new, %(update)d to update", file=file,
                     new=plan.new_count, update=plan.update_count))
    if dry_run:
        click.echo(_("Dry run: nothing was written."))
        return
    try:
        result = apply_import(plan)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        _fail(_("nothing was imported: %(reason)s", reason=exc.message))
    click.echo(_("Imported: %(created)d created, %(updated)d updated.",
                 created=len(result.created), updated=len(result.updated)))
    if result.created:
        if passwords_out:
            with passwords_out.open("w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                writer.writerow(["email", "name", "temporary_password"])
                writer.writerows((u.email, u.name, pw) for u, pw in result.created)
            passwords_out.chmod(0o600)
            click.echo(_("Temporary passwords written to %(file)s.", file=passwords_out))
        else:
            click.echo(_("Temporary passwords (each person chooses their own at first "
                         "login):"))
            for user, password in result.created:
                click.echo(f"  {user.email:<32} {password}")


@users_group.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["learner", "trainer", "manager", "admin"]),
              default="admin", show_default=True)


@with_appcontext
def users_create_command(email: str, name: str, role: str) -> None:
    """Create one account with a temporary password (e.g. the first admin)."""
    from lms.models import Role
    from lms.people.services import PersonFields, create_user

    try:
        user, temp = create_user(PersonFields(email=email, name=name, role=Role(role)))
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        _fail(exc.message)
    click.echo(_("Created %(email)s (%(role)s). Temporary password: %(password)s",
                 email=user.email, role=Role(role).label, password=temp))


@users_group.command("unlink-sso")
@click.argument("email")
@with_appcontext
def users_unlink_sso_command(email: str) -> None:
    """Forget the single sign-on identity linked to an account; the next sign-in with a
    verified email links it again (docs/operations.md, "Single sign-on")."""
    from lms.people.services import find_user_by_email

    user = find_user_by_email(email)
    if user is None:
        _fail(_("There is no account for %(email)s.", email=email))
    if user.oidc_subject is None:
        click.echo(_("%(email)s is not linked to a single sign-on identity.", email=user.email))
        return
    user.oidc_subject = None
    db.session.commit()
    click.echo(_("%(email)s is no longer linked to its single sign-on identity.",
                 email=user.email))


@click.group("token")
def token_group() -> None:
    """API tokens."""


@token_group.command("create")
@click.argument("email")
@click.option("--name", default="", help="What the token is for, e.g. 'CRM sync'.")
@click.option("--expires-days", type=click.IntRange(1, 3650), default=None,
              help="The token stops working after this many days (default: until revoked).")


@with_appcontext
def token_create_command(email: str, name: str, expires_days: int | None) -> None:
    """Create an API token for EMAIL; it has that person's role and team scope."""
    from lms.api.auth import create_token
    from lms.people.services import find_user_by_email

    user = find_user_by_email(email)
    if user is None or not user.active:
        _fail(_("No active account with email %(email)s.", email=email))
    try:
        token, plain = create_token(user, name, expires_in_days=expires_days)
    except DomainError as exc:
        db.session.rollback()
        _fail(exc.message)
    db.session.commit()
    click.echo(plain)
    if token.expires_at:
        message = _("Token %(id)d for %(email)s (%(role)s), valid until %(day)s. It is shown "
                    "once: store it now.", id=token.id, email=user.email,
                    role=user.role_enum.label, day=f"{token.expires_at:%Y-%m-%d}")
    else:
        message = _("Token %(id)d for %(email)s (%(role)s), valid until revoked. It is shown "
                    "once: store it now.", id=token.id, email=user.email,
                    role=user.role_enum.label)
    click.echo(message, err=True)


@token_group.command("list")
@click.option("--email", default=None, help="Only this person's tokens.")
@click.option("--active", is_flag=True, help="Only tokens that still work.")
@with_appcontext
def token_list_command(email: str | None, active: bool) -> None:
    """List API tokens: id, person, name, created, expires, last used, status."""
    from lms.api.auth import tokens_query
    from lms.models import utcnow
    from lms.people.services import find_user_by_email

    owner = None
    if email is not None:
        owner = find_user_by_email(email)
        if owner is None:
            _fail(_("No account with email %(email)s.", email=email))
    now = utcnow()
    tokens = [t for t in db.session.scalars(tokens_query(owner))
              if not active or t.status(now) == "active"]
    if not tokens:
        click.echo(_("No API tokens."))
        return

    def day(value) -> str:  # noqa: ANN001 - a datetime or None
        return f"{value:%Y-%m-%d}" if value else "-"

    never = _("never")
    statuses = {"active": _("active"), "expired": _("expired"), "revoked": _("revoked")}
    header = (_("Id"), _("Email"), _("Name"), _("Starts with"), _("Created"), _("Expires"),
              _("Last used"), _("Status"))
    rows = [(str(t.id), t.user.email, t.name or "-", t.prefix, day(t.created_at),
             day(t.expires_at) if t.expires_at else never,
             f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else never,
             statuses[t.status(now)])
            for t in tokens]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


@token_group.command("revoke")
@click.argument("token_id", type=ID)
@with_appcontext
def token_revoke_command(token_id: int) -> None:
    """Revoke the API token with id TOKEN_ID (see `lms token list`): it stops working at once."""
    from lms.api.auth import revoke_token
    from lms.models import ApiToken

    token = db.session.get(ApiToken, token_id)
    if token is None:
        _fail(_("There is no API token with id %(id)d; `lms token list` shows them.",
                id=token_id))
    if token.revoked_at is not None:
        click.echo(_("Token %(id)d of %(email)s was already revoked.", id=token.id,
                     email=token.user.email))
        return
    revoke_token(token)
    db.session.commit()
    click.echo(_("Revoked token %(id)d (%(name)s) of %(email)s.", id=token.id,
                 name=token.name or token.prefix, email=token.user.email))


def _aligned(labels: dict[str, str]) -> dict[str, str]:
    """Progress-bar labels padded to one width, so the bars line up in any language."""
    width = max(len(label) for label in labels.values())
    return {phase: label.ljust(width) for phase, label in labels.items()}


def _fail(message: str) -> None:
    click.echo(_("Error: %(message)s", message=message), err=True)
    sys.exit(1)
