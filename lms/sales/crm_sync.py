"""``lms sales sync``: the deals a CRM changed since the last successful sync, imported through
the same preset, checks and all-or-nothing upsert as a CSV export of them.

The deals arrive as rows under the preset's own column names (``TableSource``), so a sync
imports exactly what a CSV export of the same deals imports. A run is one import record
(undoable), and the import and the new watermark are committed together: a run that fails
anywhere changes nothing, leaves the watermark where it was and records only why. The next run
asks again from ``OVERLAP`` before that watermark: a CRM makes a change visible to its API a
little after the time it stamps on it (HubSpot's search index, a long Salesforce transaction),
so a deal stamped just before the newest one read may turn up only later. The deals read again
come out unchanged, as the upsert by CRM id never duplicates. Undoing a sync's import moves
the watermark back to where that run started (``rewind``), so the next run reads those deals
again rather than leaving them out until they change in the CRM.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select, update

from lms.errors import DomainError
from lms.extensions import db
from lms.models import CrmSyncState, utcnow
from lms.sales.crm_clients import HubSpot, Salesforce
from lms.sales.crm_http import Deal, Http, Sleep, SyncError
from lms.sales.importer import ImportOptions, ImportReport, import_table
from lms.sales.presets import FIELDS, PRESETS
from lms.sales.sources import TableSource

CONNECTIONS = ("hubspot", "salesforce")
LABELS = {"hubspot": "HubSpot", "salesforce": "Salesforce"}
#: How far before the watermark each run asks from (see the module's docstring).
OVERLAP = timedelta(minutes=10)
#: Hosts that may be reached over plain http: a stand-in (tests) or a relay on this server.
LOCAL_HOSTS = ("127.0.0.1", "localhost")
#: The settings whose values never go into a message, the database or a page.
SECRETS = ("HUBSPOT_TOKEN", "SALESFORCE_CLIENT_ID", "SALESFORCE_CLIENT_SECRET")


def configured(config: Mapping[str, Any]) -> list[str]:
    """The connections whose settings are all there."""
    names = []
    if config.get("HUBSPOT_TOKEN"):
        names.append("hubspot")
    if all(config.get(k) for k in ("SALESFORCE_URL", "SALESFORCE_CLIENT_ID",
                                   "SALESFORCE_CLIENT_SECRET")):
        names.append("salesforce")
    return names


def client_for(name: str, config: Mapping[str, Any], http: Http) -> HubSpot | Salesforce:
    if name not in configured(config):
        needed = ("LMS_HUBSPOT_TOKEN" if name == "hubspot" else
                  "LMS_SALESFORCE_URL, LMS_SALESFORCE_CLIENT_ID and LMS_SALESFORCE_CLIENT_SECRET")
        raise SyncError(_("%(crm)s is not configured: set %(settings)s.", crm=LABELS[name],
                          settings=needed))
    _check_address(name, "HUBSPOT_BASE_URL" if name == "hubspot" else "SALESFORCE_URL", config)
    if name == "hubspot":
        return HubSpot(config["HUBSPOT_BASE_URL"], config["HUBSPOT_TOKEN"],
                       config["HUBSPOT_PROPERTIES"], http)
    return Salesforce(config["SALESFORCE_URL"], config["SALESFORCE_CLIENT_ID"],
                      config["SALESFORCE_CLIENT_SECRET"], config["SALESFORCE_API_VERSION"],
                      config["SALESFORCE_FIELDS"], http)


def _check_address(name: str, setting: str, config: Mapping[str, Any]) -> None:
    """The CRM's address is https (plain http only to this server): the secret goes there."""
    address = urlsplit(config[setting])
    if not ((address.scheme == "https" and address.hostname)
            or (address.scheme == "http" and address.hostname in LOCAL_HOSTS)):
        raise SyncError(_("LMS_%(setting)s must be an https:// address: the %(crm)s secret "
                          "must not travel unencrypted.", setting=setting, crm=LABELS[name]))


def deal_table(name: str, deals: list[Deal], source: str) -> TableSource:
    """The deals as a CSV export would hold them: each field under the preset's first column
    name for it."""
    preset = PRESETS[name]
    used = [f for f in FIELDS if any(f in d.fields for d in deals)]
    header = [preset.columns[f][0] for f in used]
    return TableSource(header, [[d.fields.get(f) for f in used] for d in deals], source)


@dataclass(frozen=True)
class SyncOutcome:
    connection: str
    deals: int
    report: ImportReport | None  # None when the CRM changed no deal
    watermark: datetime | None


def sync(name: str, *, sleep: Sleep = time.sleep, config: Mapping[str, Any] | None = None,
         http: Http | None = None) -> SyncOutcome:
    """Run one sync of connection ``name`` and commit (the import with the new watermark, or
    only the failure's message). Raises ``SyncError`` (a ``DomainError``) when it failed.
    Take the connection's lease first (the command does)."""
    config = config or current_app.config
    started = utcnow()
    since = _state(name).watermark
    # No transaction (nor pooled connection) stays open while the CRM answers, which may take
    # minutes: PostgreSQL would hold it idle in transaction, a timeout there may end it.
    db.session.commit()
    own_http = http is None
    http = http or Http(LABELS[name], sleep)
    client: HubSpot | Salesforce | None = None
    try:
        client = client_for(name, config, http)
        try:
            deals = client.changed_since(since - OVERLAP if since else None)
        except (KeyError, TypeError, ValueError) as exc:
            # An answer without the fields the API promises (a proxy's page, a changed API).
            raise SyncError(_("%(crm)s answered in an unexpected shape (%(problem)s); nothing "
                              "was imported.", crm=LABELS[name],
                              problem=f"{type(exc).__name__}: {exc}"[:200])) from exc
        report, read = None, len(deals)
        newest = max((d.modified_at for d in deals), default=None)
        if deals:
            table = deal_table(name, deals, _("%(crm)s sync %(when)s UTC", crm=LABELS[name],
                                             when=f"{started:%Y-%m-%d %H:%M}"))
            del deals  # the table holds them now; a large pull is not kept twice
            options = ImportOptions(decimal="point",
                                    satisfaction_scale=config.get("CRM_SYNC_SATISFACTION_SCALE"))
            report = import_table(table, PRESETS[name], options)
            if not report.ok:
                raise SyncError(_refusal(report, table))
    except DomainError as exc:
        message = redact(exc.message, [*(config.get(k) for k in SECRETS),
                                       getattr(client, "token", None)])
        _failed(name, started, message)
        raise SyncError(message) from exc
    finally:
        if own_http:
            http.close()
    if report is not None and not (report.added or report.updated):
        # Only deals read again (the overlap before the watermark): no import record for a
        # run that changed nothing (cron would fill the import log with them).
        db.session.rollback()
        report = None
    state = _succeeded(name, since, started, newest, read, report)
    return SyncOutcome(name, read, report, state.watermark)


def _succeeded(name: str, since: datetime | None, started: datetime,
               newest: datetime | None, read: int, report: ImportReport | None) -> CrmSyncState:
    """Record a successful run (``newest``: the newest deal's modified time) and commit."""
    # Locked, and read again (the import expired every loaded object): an undo that rewound
    # the watermark while this run read the CRM is kept, not overwritten.
    state = _state(name, lock=True)
    rewound = state.watermark != since
    start = _earlier(since, state.watermark) if rewound else since
    watermark = max(filter(None, (newest, since)), default=None)
    if watermark is not None:
        # Never past this run's start: a deal stamped in the future (a CRM clock or an import
        # into the CRM) must not make the next runs skip everything changed until then.
        watermark = min(watermark, started)
    state.watermark = _earlier(watermark, start) if rewound else watermark
    state.last_run_at = state.last_ok_at = started
    state.last_result, state.last_message = "ok", ""
    state.rows = read
    state.import_id = report.import_id if report else None
    if report:
        state.newest_import_id, state.newest_import_since = report.import_id, start
    db.session.commit()
    return state


def _earlier(one: datetime | None, other: datetime | None) -> datetime | None:
    """The earlier watermark; None (read everything) if either is."""
    return min(one, other) if one and other else None


def _state(name: str, *, lock: bool = False) -> CrmSyncState:
    state = db.session.get(CrmSyncState, name, with_for_update=lock)
    if state is None:
        state = CrmSyncState(connection=name, rows=0, last_message="")
        db.session.add(state)
    return state


def _failed(name: str, started: datetime, message: str) -> None:
    db.session.rollback()
    state = _state(name)
    state.last_run_at = started
    state.last_result, state.last_message = "failed", message[:1000]
    db.session.commit()


def redact(message: str, secrets: Iterable[str | None]) -> str:
    """``message`` without the connection's secrets, a bearer token or a URL's query (a CRM's
    or a proxy's error may echo the request): it is stored, printed and shown on a page."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            message = message.replace(secret, "***")
    message = re.sub(r"(?i)\b(bearer\s+)\S+", r"\1***", message)
    message = re.sub(r"(?i)\b((?:access_|refresh_)?token|client_secret|hapikey|api_?key|"
                     r"password)([\"']?\s*[=:]\s*[\"']?)[^\s\"'&,;]+", r"\1\2***", message)
    return re.sub(r"(https?://[^\s?#]+)\?\S*", r"\1?***", message)


def rewind(import_id: int) -> None:
    """An undone import was a connection's newest sync: its next run reads again from where
    that sync started, so the undone deals come back as the CRM has them. Flushes."""
    db.session.execute(update(CrmSyncState).where(CrmSyncState.newest_import_id == import_id)
                       .values(watermark=CrmSyncState.newest_import_since,
                               newest_import_id=None))


def _refusal(report: ImportReport, table: TableSource) -> str:
    """Why the checks refused the deals, naming the first problem by its deal id."""
    first = report.errors[0]
    index = first.line - 2
    deal = table.rows[index][0] if 0 <= index < len(table.rows) and table.rows[index] else "?"
    where = f"{first.column}: " if first.column else ""
    return _("%(problems)s in the CRM's deals; nothing was imported. First: deal %(deal)s, "
             "%(where)s%(problem)s", problems=ngettext("%(num)d problem", "%(num)d problems",
                                                       report.error_count),
             deal=deal, where=where, problem=first.message)


# The Sales data page -----------------------------------------------------------------------------

@dataclass(frozen=True)
class ConnectionStatus:
    name: str
    label: str
    state: CrmSyncState | None
    next_at: datetime | None  # None: at the next cron run (it never ran)
    late: bool


def connection_statuses(config: Mapping[str, Any],
                        now: datetime | None = None) -> list[ConnectionStatus]:
    """Each configured connection with its last run and the next one expected (one query)."""
    names = configured(config)
    if not names:
        return []
    now = now or utcnow()
    states = {s.connection: s for s in db.session.scalars(
        select(CrmSyncState).where(CrmSyncState.connection.in_(names)))}
    interval = timedelta(minutes=int(config["CRM_SYNC_INTERVAL_MINUTES"]))
    statuses = []
    for name in names:
        state = states.get(name)
        next_at = state.last_run_at + interval if state and state.last_run_at else None
        # A quarter interval of slack: cron's minute and the run's own length.
        late = next_at is not None and now > next_at + interval / 4
        statuses.append(ConnectionStatus(name, LABELS[name], state, next_at, late))
    return statuses
