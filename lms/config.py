"""Configuration: typed defaults, then ``instance/config.py``, then ``LMS_*`` environment variables.

Every setting the product reads is declared once in ``SETTINGS`` with its type and meaning, so the
environment is parsed explicitly (never by guessing a type from a string) and ``docs/operations.md``
can list them. A ``config`` mapping passed to ``create_app`` wins over everything (tests use it).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lms.safeyaml import quote

#: The repository (or installed project) root: holds templates/, static/, content/ and quizzes/.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected true or false, got {quote(value)}")


def _choice(value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"expected one of {', '.join(allowed)}, got {quote(value)}")
    return value


def _tuple(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _pairs(value: str) -> tuple[tuple[str, str], ...]:
    """"a=b, c=d" -> (("a", "b"), ("c", "d"))."""
    pairs = []
    for part in _tuple(value):
        key, sep, name = (p.strip() for p in part.partition("="))
        if not (sep and key and name):
            raise ValueError(f"expected field=name pairs separated by commas, got {quote(part)}")
        pairs.append((key, name))
    return tuple(pairs)


@dataclass(frozen=True)
class Setting:
    key: str  # Flask config key; the environment variable is LMS_<key>
    parse: Callable[[str], Any]
    default: Any
    doc: str


SETTINGS: tuple[Setting, ...] = (
    Setting("DATABASE_URL", str, None,
            "SQLAlchemy URL. Default: SQLite file instance/lms.sqlite3. "
            "PostgreSQL: postgresql+psycopg://user:pass@host/db"),
    Setting("SECRET_KEY", str, None,
            "Signs sessions and CSRF tokens. Default: generated once into instance/secret_key"),
    Setting("CONTENT_DIR", str, str(PROJECT_ROOT / "content"),
            "Folder with modules/ (Markdown) and paths/ (learning paths)"),
    Setting("QUIZ_DIR", str, str(PROJECT_ROOT / "quizzes"), "Folder with quiz YAML files"),
    Setting("CONTENT_CATEGORIES", _tuple, ("product-knowledge", "customer-demographics"),
            "Comma-separated module categories"),
    Setting("SESSION_COOKIE_SECURE", _bool, False,
            "Send cookies over HTTPS only (turn on behind TLS)"),
    Setting("REMEMBER_DAYS", int, 30, "How long 'remember me' keeps a person logged in"),
    Setting("LOGIN_RATE_LIMIT", str, "10 per minute",
            "Login attempts allowed per client address and per account"),
    Setting("RATELIMIT_STORAGE_URI", str, "database://",
            "Where rate-limit counters live. database:// (the site's database) is shared by "
            "every worker process and server; memory:// counts per process; redis://host:6379 "
            "takes the load off a busy database"),
    Setting("PASSWORD_HASH_METHOD", str, "scrypt",
            "Werkzeug password hash method (tests use a fast pbkdf2)"),
    Setting("MAX_UPLOAD_MB", int, 32, "Largest accepted upload in megabytes"),
    Setting("DEFAULT_LOCALE", lambda v: _choice(v, ("nl", "en")), "nl",
            "Interface language (nl or en) for people who chose none and whose browser asks "
            "for neither, and for the command line and mails"),
    Setting("TIMEZONE", str, "Europe/Amsterdam",
            "Time zone in which the site shows times (IANA name)"),
    Setting("TRUST_PROXY", _bool, False,
            "Trust one reverse proxy's X-Forwarded-For/-Proto (gunicorn behind nginx)"),
    Setting("SMTP_URL", str, None,
            "Mail server for reminders: smtp://user:pass@host:587 (STARTTLS, required before "
            "a password is sent; ?starttls=off for a trusted relay), or smtps://host:465. "
            "Unset: mails are written to the application log instead"),
    Setting("MAIL_FROM", str, "Verkoopklaar <noreply@verkoopklaar.invalid>",
            "Sender address of reminder mails"),
    Setting("REMINDER_DAYS_BEFORE", int, 3,
            "Days before a due date on which learners get a reminder (lms reminders send)"),
    Setting("READINESS_COMPLETION_WEIGHT", float, 0.5,
            "Weight of completed assigned modules in the readiness index (docs/readiness.md)"),
    Setting("READINESS_SCORE_WEIGHT", float, 0.5,
            "Weight of the average best quiz score in the readiness index"),
    Setting("READINESS_READY_AT", float, 80.0,
            "Readiness index (0-100) from which a person who completed everything is Ready"),
    Setting("READINESS_AT_RISK_BELOW", float, 50.0,
            "Readiness index (0-100) below which a person is At risk"),
    Setting("RETENTION_AT_RISK", float, 0.7,
            "Predicted recall (0-1, from spaced boosters) below which a module counts as at "
            "risk in the readiness report and the drill-down (README, boosters)"),
    Setting("FOLLOW_UP_DAYS", int, 14,
            "A won deal counts as followed up when the follow-up is within this many days of "
            "closing (sales measures, docs/impact.md)"),
    Setting("FOLLOW_UP_LIST_DAYS", int, 30,
            "Follow-ups and complaints page: a follow-up not made stays listed (as overdue) "
            "this many days after its follow-up days ended"),
    Setting("COMPLAINT_OPEN_DAYS", int, 7,
            "Reminders mention a complaint still open after this many days"),
    Setting("IMPACT_MIN_N", int, 8,
            "Impact analysis: below this many people a figure says 'not enough data'"),
    Setting("IMPACT_MIN_CLOSED_DEALS", int, 3,
            "Impact analysis: people with fewer closed deals in a window are left out and listed"),
    # The learning record store (xAPI, lms/xapi/): docs/operations.md "xAPI".
    Setting("BASE_URL", str, "http://localhost:5000",
            "The site's address as people reach it (https://train.example.com): the home of "
            "the learners' xAPI accounts and of the activity ids. Changing it changes every "
            "statement's ids"),
    Setting("XAPI_AGENT_EMAIL", _bool, False,
            "xAPI: identify people by their email (mbox) instead of an account with their "
            "stable id; email is personal data and changes over time"),
    Setting("XAPI_LRS_URL", str, None,
            "xAPI: the learning record store's endpoint (statements go to <url>/statements "
            "by lms xapi push); unset: nothing is sent"),
    Setting("XAPI_LRS_USERNAME", str, None, "xAPI: the LRS's basic-auth user (key)"),
    Setting("XAPI_LRS_PASSWORD", str, None, "xAPI: the LRS's basic-auth password (secret)"),
    # CRM sync (lms/sales/crm_sync.py): docs/operations.md "CRM sync".
    Setting("HUBSPOT_TOKEN", str, None,
            "CRM sync: HubSpot private-app access token (secret; scopes crm.objects.deals.read, "
            "crm.objects.companies.read, crm.objects.owners.read). Unset: no HubSpot sync"),
    Setting("HUBSPOT_BASE_URL", str, "https://api.hubapi.com", "CRM sync: HubSpot's API address"),
    Setting("HUBSPOT_PROPERTIES", _pairs, (),
            "CRM sync: more deal properties to read, as field=property pairs "
            "(satisfaction=csat_score, product=product_line); fields as in the generic template"),
    Setting("SALESFORCE_URL", str, None,
            "CRM sync: the org's My Domain address (https://acme.my.salesforce.com). Unset: no "
            "Salesforce sync"),
    Setting("SALESFORCE_CLIENT_ID", str, None,
            "CRM sync: the connected app's consumer key (client credentials flow)"),
    Setting("SALESFORCE_CLIENT_SECRET", str, None,
            "CRM sync: the connected app's consumer secret (secret)"),
    Setting("SALESFORCE_API_VERSION", str, "62.0", "CRM sync: Salesforce REST API version"),
    Setting("SALESFORCE_FIELDS", _pairs, (),
            "CRM sync: more Opportunity fields to read, as field=API name pairs "
            "(currency=CurrencyIsoCode, satisfaction=Customer_Satisfaction__c)"),
    Setting("CRM_SYNC_SATISFACTION_SCALE", lambda v: int(_choice(v, ("5", "10"))), None,
            "CRM sync: scale (5 or 10) of satisfaction scores when no scale field is read"),
    Setting("CRM_SYNC_INTERVAL_MINUTES", int, 60,
            "CRM sync: how often cron runs lms sales sync; the Sales data page shows the next "
            "run expected from it"),
    # Team chat (lms/chat/): docs/operations.md "Team chat".
    Setting("CHAT_ALLOW_LOCAL_HTTP", _bool, False,
            "Team chat: also accept webhook addresses http://127.0.0.1:<port>/... (a stand-in "
            "server for tests or a local relay); otherwise only https:// addresses"),
    Setting("CHAT_EXTRA_HOSTS", _tuple, (),
            "Team chat: more hosts webhooks may post to besides Teams' and Slack's own, "
            "comma-separated; a name, or a suffix starting with a dot (.logic.azure.us)"),
    # Single sign-on (OpenID Connect, lms/auth/sso.py): docs/operations.md "Single sign-on".
    Setting("OIDC_ISSUER", str, None,
            "Single sign-on: the identity provider's issuer URL, exactly as its discovery "
            "document names it (<issuer>/.well-known/openid-configuration); https:// only, "
            "but for a provider on this machine; unset: no SSO"),
    Setting("OIDC_CLIENT_ID", str, None, "Single sign-on: this site's client id at the provider"),
    Setting("OIDC_CLIENT_SECRET", str, None,
            "Single sign-on: the client secret; from the environment only, never "
            "instance/config.py"),
    Setting("OIDC_NAME", str, "your organisation",
            "Single sign-on: the organisation named on the button (Log in with <name>)"),
    Setting("OIDC_CREATE_USERS", _bool, False,
            "Single sign-on: create an account (salesperson) for a person the provider "
            "vouches for but who has none; off: such a person is refused"),
    Setting("OIDC_TEAM_CLAIM", str, None,
            "Single sign-on: the ID token claim naming the team of an account created at "
            "sign-in (matched by name with an active team; no match: no team)"),
    Setting("PASSWORD_LOGIN", lambda v: _choice(v, ("everyone", "admins")), "everyone",
            "Who may log in with a password: everyone, or only admins (when single sign-on "
            "is configured; without it everyone may)"),
)

#: Settings that must not sit in instance/config.py: files get copied, backed up and committed.
ENVIRONMENT_ONLY = ("OIDC_CLIENT_SECRET",)
#: Single sign-on needs all three of these, or none.
OIDC_REQUIRED = ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET")


def _check_issuer(issuer: str | None) -> None:
    """The client secret and the ID tokens travel to and from the issuer: https only, but for
    a provider on this machine (a stand-in, or a local relay)."""
    if not issuer:
        return
    parts = urlsplit(issuer)
    local = parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")
    if not (parts.scheme == "https" and parts.hostname) and not local:
        raise RuntimeError(f"LMS_OIDC_ISSUER must be an https:// address, got {quote(issuer)}")


def sso_configured(config: Mapping[str, Any]) -> bool:
    """Single sign-on is on: the provider and this site's client are all set."""
    return all(config.get(key) for key in OIDC_REQUIRED)


def _instance_secret(instance_path: Path) -> str:
    """Read the generated secret, creating it (mode 0600) on first use."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    # O_EXCL: if two processes start at once, exactly one writes and both read the same value.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(secret)
    return secret


def load_config(
    instance_path: Path,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Build the application's configuration dict."""
    environ = os.environ if environ is None else environ
    config: dict[str, Any] = {s.key: s.default for s in SETTINGS}

    instance_file = instance_path / "config.py"
    if instance_file.exists():
        namespace: dict[str, Any] = {}
        source = instance_file.read_text(encoding="utf-8")
        exec(compile(source, str(instance_file), "exec"), namespace)
        config.update({k: v for k, v in namespace.items() if k.isupper()})
        for key in ENVIRONMENT_ONLY:
            if key in namespace:
                raise RuntimeError(f"{instance_file} sets {key}: set LMS_{key} in the "
                                   "environment instead")

    for setting in SETTINGS:
        raw = environ.get(f"LMS_{setting.key}")
        if raw is None:
            continue
        try:
            config[setting.key] = setting.parse(raw)
        except ValueError as exc:
            raise RuntimeError(f"LMS_{setting.key}: {exc}") from None

    config.update(overrides or {})

    given = [key for key in OIDC_REQUIRED if config.get(key)]
    if given and len(given) < len(OIDC_REQUIRED):
        missing = ", ".join(f"LMS_{key}" for key in OIDC_REQUIRED if key not in given)
        raise RuntimeError(f"single sign-on is half configured: {missing} missing")
    _check_issuer(config.get("OIDC_ISSUER"))

    if not config.get("DATABASE_URL"):
        config["DATABASE_URL"] = f"sqlite:///{instance_path / 'lms.sqlite3'}"
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _instance_secret(instance_path)

    remember_days = int(config["REMEMBER_DAYS"])
    config.update(
        SQLALCHEMY_DATABASE_URI=config["DATABASE_URL"],
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(config["DATABASE_URL"]),
        MAX_CONTENT_LENGTH=int(config["MAX_UPLOAD_MB"]) * 1024 * 1024,
        # A checked import travels back in a hidden field; Werkzeug's 500 kB default is too small.
        MAX_FORM_MEMORY_SIZE=int(config["MAX_UPLOAD_MB"]) * 1024 * 1024 * 2,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=config["SESSION_COOKIE_SECURE"],
        REMEMBER_COOKIE_DURATION=remember_days * 86400,
        RATELIMIT_STORAGE_URI=config["RATELIMIT_STORAGE_URI"],
        BABEL_DEFAULT_LOCALE=config["DEFAULT_LOCALE"],
        BABEL_DEFAULT_TIMEZONE=config["TIMEZONE"],
        BABEL_TRANSLATION_DIRECTORIES=str(PROJECT_ROOT / "translations"),
    )
    # A CSRF token lives as long as the session: a trainer may keep an editor open for hours.
    config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    return config


def _engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        # Long busy timeout at the driver level; the PRAGMA in extensions.py covers the same for
        # connections SQLAlchemy hands out from the pool.
        return {"connect_args": {"timeout": 15}}
    return {"pool_pre_ping": True}
