"""Talking to a CRM's REST API (``lms.sales.crm_clients``): requests with the handling of 429
(Retry-After), 5xx and broken connections, refusals as messages, paging and timestamps. No
database here.

Plain ``requests`` rather than the vendors' libraries: simple-salesforce builds its token and
data URLs as ``https://{domain}.salesforce.com`` (no token URL of our choosing, no plain-http
stand-in to test against), and hubspot-api-client is a large generated package with retry rules
of its own. One small client gives both CRMs the same handling of 429 (Retry-After), 5xx and
broken connections, driven by the tests against stand-in servers (tests/crm_standin.py).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from flask_babel import gettext as _

from lms.errors import DomainError
from lms.sales.presets import FIELDS, Preset

TIMEOUT = 30  # seconds per request
TRIES = 5  # per request: the first and four retries
MAX_WAIT = 300  # seconds: a longer Retry-After fails the run; cron tries again later
#: seconds of waiting (Retry-After and back-off) in one run, all requests together: past it the
#: run stops, well inside the cron lease's hour (lms.maintenance.leases), so a CRM that keeps
#: answering 429 never lets a run hold the lease until a second one starts beside it.
RUN_WAIT = 900
#: seconds one run may take in all, slow answers too: the same reason, with room for the last
#: request's tries and the import before the lease's hour is up.
RUN_SECONDS = 2700
Sleep = Callable[[float], None]


class SyncError(DomainError):
    """The sync cannot go on; the message says why (never with a secret in it)."""


@dataclass(frozen=True)
class Deal:
    crm_id: str
    modified_at: datetime
    #: our field name (lms.sales.presets.FIELDS) -> the API's value
    fields: dict[str, Any]


class Http:
    """Requests to one CRM: 429 waits as long as Retry-After says, a 5xx or a broken
    connection is retried with back-off (1, 2, 4, 8 s), both at most ``TRIES`` times in all
    and ``RUN_WAIT`` seconds of waiting per run; no request starts after ``RUN_SECONDS``; then
    ``SyncError``. ``sleep`` and ``clock`` are injected so the tests do not wait."""

    def __init__(self, label: str, sleep: Sleep, session: requests.Session | None = None,
                 tries: int = TRIES, clock: Callable[[], float] = time.monotonic) -> None:
        self.label = label
        self.sleep = sleep
        self.session = session or requests.Session()
        self.tries = tries
        self.waited = 0.0
        self.clock = clock
        self.started = clock()

    def send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        problem, unreachable = "", False
        for attempt in range(self.tries):
            wait = float(2 ** attempt)
            if self.clock() - self.started > RUN_SECONDS:
                raise self._too_long(RUN_SECONDS)
            try:
                response = self.session.request(method, url, timeout=TIMEOUT, **kwargs)
            except requests.RequestException as exc:
                problem, unreachable = type(exc).__name__, True
            else:
                unreachable = False
                if response.status_code == 429:
                    wait = retry_after(response.headers.get("Retry-After"), wait)
                    problem = _("too many requests (429)")
                    if wait > MAX_WAIT:
                        raise SyncError(_(
                            "%(crm)s asks to wait %(seconds)d seconds before the next request; "
                            "nothing was imported. The next run starts again from the last "
                            "successful sync.", crm=self.label, seconds=int(wait)))
                elif response.status_code >= 500:
                    problem = _("a server error (%(status)d)", status=response.status_code)
                else:
                    return response
                response.close()
            if attempt + 1 < self.tries:
                self._wait(wait)
        if unreachable:
            raise SyncError(_("%(crm)s could not be reached (%(problem)s), %(num)d times; "
                              "nothing was imported. The next run starts again from the last "
                              "successful sync.", crm=self.label, problem=problem,
                              num=self.tries))
        raise SyncError(_("%(crm)s answered %(problem)s, %(num)d times; nothing was imported. "
                          "The next run starts again from the last successful sync.",
                          crm=self.label, problem=problem, num=self.tries))

    def _wait(self, seconds: float) -> None:
        if self.waited + seconds > RUN_WAIT:
            raise self._too_long(RUN_WAIT)
        self.waited += seconds
        self.sleep(seconds)

    def _too_long(self, seconds: int) -> SyncError:
        return SyncError(_("%(crm)s kept this run waiting for more than %(minutes)d minutes in "
                           "all; nothing was imported. The next run starts again from the last "
                           "successful sync.", crm=self.label, minutes=seconds // 60))

    def close(self) -> None:
        self.session.close()


def retry_after(header: str | None, default: float) -> float:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date)."""
    if not header:
        return default
    if header.strip().isdigit():
        return float(header.strip())
    try:
        return max(0.0, (parsedate_to_datetime(header) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return default


def refused(label: str, response: requests.Response) -> SyncError:
    """A 4xx answer as a message: the CRM's own explanation, shortened (it holds no secret:
    the request's token is in a header, which is never repeated)."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    if isinstance(body, list) and body:
        body = body[0]
    detail = ""
    if isinstance(body, dict):
        detail = str(body.get("message") or body.get("error_description")
                     or body.get("error") or "")
    return SyncError(_("%(crm)s refused the request (%(status)d): %(detail)s", crm=label,
                       status=response.status_code, detail=detail[:300] or _("no reason given")))


def json_object(label: str, response: requests.Response) -> dict[str, Any]:
    if response.status_code >= 400:
        raise refused(label, response)
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise SyncError(_("%(crm)s answered something that is not a JSON object.", crm=label))
    return data


def next_page(label: str, seen: set[str], cursor: Any) -> str | None:
    """The next page's cursor (HubSpot's ``after``, Salesforce's ``nextRecordsUrl``), or None
    at the end. One the run was given before would page in a circle: the run stops."""
    if not cursor:
        return None
    cursor = str(cursor)
    if cursor in seen:
        raise SyncError(_("%(crm)s sent the same page again; nothing was imported.", crm=label))
    seen.add(cursor)
    return cursor


def api_time(value: Any) -> datetime:
    """An API timestamp (ISO 8601 with Z, +0000 or milliseconds) as an aware UTC datetime."""
    moment = datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def extra_fields(label: str, preset: Preset,
                 pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    """field=name pairs from a setting, checked: fields the CRM's preset has a column for, API
    names only (they go into a query)."""
    extra = {}
    fields = [f for f in FIELDS if f in preset.columns]
    for field, name in pairs:
        if field not in fields:
            raise SyncError(_("%(crm)s: %(name)s is not a field; fields: %(fields)s", crm=label,
                              name=field, fields=", ".join(fields)))
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?", name):
            raise SyncError(_("%(crm)s: %(name)s is not an API field name", crm=label,
                              name=name))
        extra[field] = name
    return extra
