"""A learning record store's statements resource, over HTTP (urllib: no client library).

``post`` sends a batch and reports what came back, never raising for what a network or an LRS
may do (an error status, a timeout, a dropped connection): the outbox decides what each means.
"""

from __future__ import annotations

import base64
import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

VERSION = "1.0.3"
#: Keep the LRS's words short in the outbox and on the terminal.
MESSAGE_LENGTH = 500


@dataclass(frozen=True)
class Answer:
    """What came back: a status and body, or (``status`` None) why nothing did."""

    status: int | None
    message: str = ""
    #: Seconds the LRS asked us to wait (Retry-After), if it said.
    retry_after: float | None = None

    @property
    def accepted(self) -> bool:
        """Stored now, or already known (409: a statement with this id exists)."""
        return self.status in (200, 204, 409)

    @property
    def transient(self) -> bool:
        """Worth trying again later: no answer, the LRS failing, or asked to slow down."""
        return self.status is None or self.status in (408, 429) or self.status >= 500


class LrsClient:
    def __init__(self, url: str, username: str | None, password: str | None, *,
                 timeout: float = 30) -> None:
        self.endpoint = url.rstrip("/") + "/statements"
        self.timeout = timeout
        self.headers = {"Content-Type": "application/json",
                        "X-Experience-API-Version": VERSION}
        if username is not None or password is not None:
            pair = f"{username or ''}:{password or ''}".encode()
            self.headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()

    def post(self, statements: list[dict[str, Any]]) -> Answer:
        body = json.dumps(statements, separators=(",", ":")).encode()
        request = urllib.request.Request(self.endpoint, data=body, headers=self.headers,
                                         method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return Answer(response.status, _text(response.read()))
        except urllib.error.HTTPError as exc:
            return Answer(exc.code, _text(exc.read()) or str(exc.reason),
                          retry_after(exc.headers.get("Retry-After")))
        except (OSError, http.client.HTTPException) as exc:  # refused, timed out, dropped
            reason = getattr(exc, "reason", None) or exc
            return Answer(None, _short(f"{type(exc).__name__}: {reason}"))


def _text(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        return _short(text)
    if isinstance(data, dict):  # {"message": ...}, {"error": "..."} or {"error": {"message": ...}}
        message = data.get("message") or data.get("error")
        if isinstance(message, dict):
            message = message.get("message")
        if isinstance(message, str) and message:
            return _short(message)
    return _short(text)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MESSAGE_LENGTH else text[:MESSAGE_LENGTH - 1] + "…"


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (seconds or an HTTP date); None when absent or odd."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
