"""Posting to a webhook over HTTP (urllib: no client library), never raising for what a network
or a chat service may do: ``post`` reports what came back and the caller decides what it means.

Slack answers 200 "ok", or an error word (400 invalid_payload, 403 action_prohibited, 404
no_service / channel_not_found, 410 channel_is_archived, 429 with Retry-After, 500); a Teams
Workflows webhook answers 202 Accepted, or a JSON error. Redirects are not followed: a webhook
that moved has a new address for the admin to paste.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from lms.xapi.lrs import retry_after

TIMEOUT = 15
#: Keep the service's words short on the settings page and the terminal.
MESSAGE_LENGTH = 300
#: Bytes of an answer read at most: its first words are all a page shows.
MAX_ANSWER = 64 * 1024


@dataclass(frozen=True)
class Answer:
    """What came back: a status and the service's words, or (``status`` None) why nothing did."""

    status: int | None
    message: str = ""
    #: Seconds the service asked us to wait (Retry-After), if it said.
    retry_after: float | None = None

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def transient(self) -> bool:
        """Worth trying again: no answer, the service failing, or asked to slow down."""
        return self.status is None or self.status in (408, 429) or self.status >= 500

    def describe(self) -> str:
        status = str(self.status) if self.status is not None else "no answer"
        return f"{status}: {self.message}" if self.message else status


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx comes back as an HTTPError


_opener = urllib.request.build_opener(_NoRedirects)


def post(url: str, payload: dict[str, Any], *, timeout: float = TIMEOUT) -> Answer:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "User-Agent": "Verkoopklaar"})
    try:
        with _opener.open(request, timeout=timeout) as response:
            return Answer(response.status, _text(response.read(MAX_ANSWER), url))
    except urllib.error.HTTPError as exc:
        with exc:
            words = _text(exc.read(MAX_ANSWER), url) or str(exc.reason)
        return Answer(exc.code, words, retry_after(exc.headers.get("Retry-After")))
    except (OSError, http.client.HTTPException) as exc:  # refused, timed out, dropped
        reason = getattr(exc, "reason", None) or exc
        return Answer(None, _short(f"{type(exc).__name__}: {reason}", url))


def _text(raw: bytes, url: str) -> str:
    text = raw.decode("utf-8", "replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        return _short(text, url)
    if isinstance(data, dict):  # Teams: {"error": {"code": ..., "message": ...}}
        error = data.get("error")
        message = error.get("message") if isinstance(error, dict) else error
        if isinstance(message, str) and message:
            return _short(message, url)
    return _short(text, url)


def _short(text: str, url: str) -> str:
    # The address is the channel's key: it never goes into an error shown on a page.
    text = " ".join(text.replace(url, "<webhook>").split())
    return text if len(text) <= MESSAGE_LENGTH else text[:MESSAGE_LENGTH - 1] + "…"
