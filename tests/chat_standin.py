"""A stand-in chat service on 127.0.0.1 for the team chat tests: a Microsoft Teams Workflows
webhook (``/teams/...``) and a Slack incoming webhook (``/slack/...``), with failures on order.

Teams: the body must be a message with one Adaptive Card attachment (``type`` "message",
``contentType`` application/vnd.microsoft.card.adaptive, ``content.type`` "AdaptiveCard", a
``version`` and a non-empty ``body``); it answers 202 Accepted, or 400 with a JSON error saying
what is missing. Slack: the body must have a non-empty ``text`` (``blocks`` a list if present);
it answers 200 "ok", or 400 "invalid_payload" / "no_text". ``/slack/gone`` answers 404
"no_service" and ``/slack/archived`` 410 "channel_is_archived", as for a removed webhook.
``/moved`` answers 302 to ``/teams/moved-here`` (a GET there is recorded as ``"GET"``): a client
that followed redirects would show up.

``fail_next`` queues failures for the next requests: ``500``, ``429`` (with ``Retry-After``:
``retry_after``, 0 by default) and ``"drop"`` (closes the connection before taking the message).
"""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.standin import StandInServer

CARD = "application/vnd.microsoft.card.adaptive"


def teams_problem(body: Any) -> str | None:
    """What a Workflows webhook would refuse in ``body``; None when it would post it."""
    if not isinstance(body, dict) or body.get("type") != "message":
        return "the body must be a message (type: message)"
    attachments = body.get("attachments")
    if not isinstance(attachments, list) or len(attachments) != 1:
        return "attachments must hold one card"
    attachment = attachments[0]
    if attachment.get("contentType") != CARD:
        return f"attachment contentType must be {CARD}"
    card = attachment.get("content")
    if not isinstance(card, dict) or card.get("type") != "AdaptiveCard":
        return "content.type must be AdaptiveCard"
    if not isinstance(card.get("version"), str) or not card["version"]:
        return "content.version is missing"
    if not isinstance(card.get("body"), list) or not card["body"]:
        return "content.body must be a non-empty list"
    for element in card["body"]:
        if not isinstance(element, dict) or "type" not in element:
            return "every body element needs a type"
    return None


def card_text(body: dict[str, Any]) -> str:
    """Every text of a Teams card (TextBlocks and facts), one per line, for assertions."""
    parts = []
    for element in body["attachments"][0]["content"]["body"]:
        if element["type"] == "TextBlock":
            parts.append(element["text"])
        elif element["type"] == "FactSet":
            parts.extend(f"{f['title']}: {f['value']}" for f in element["facts"])
    return "\n".join(parts)


class StandInChat(StandInServer):
    def __init__(self, retry_after: str = "0") -> None:
        super().__init__()
        self.retry_after = retry_after
        #: (path, body) of every message taken
        self.posted: list[tuple[str, dict[str, Any]]] = []
        #: (path, answer) of every request
        self.requests: list[tuple[str, int | str]] = []

    def url(self, path: str) -> str:
        return f"{self.root}{path}"

    def serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        if method == "POST":
            self.handle(handler)
            return
        with self.lock:
            self.requests.append((handler.path, "GET"))
        self._answer(handler, 404, "text/plain", "not found")

    def to(self, path: str) -> list[dict[str, Any]]:
        return [body for where, body in self.posted if where == path]

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length", 0))
        raw = handler.rfile.read(length)
        path = handler.path
        with self.lock:
            failure = self.failures.pop(0) if self.failures else None
            if failure == "drop":
                self.requests.append((path, "drop"))
                handler.close_connection = True
                handler.connection.close()
                return
            if failure == 500:
                return self._answer(handler, 500, "text/plain", "rollup_error")
            if failure == 429:
                return self._answer(handler, 429, "text/plain", "rate_limited",
                                    {"Retry-After": self.retry_after})
            try:
                body = json.loads(raw)
            except ValueError:
                return self._answer(handler, 400, "text/plain", "invalid_payload")
            if path.startswith("/teams/"):
                problem = teams_problem(body)
                if problem:
                    return self._answer(handler, 400, "application/json", json.dumps(
                        {"error": {"code": "InvalidRequestContent", "message": problem}}))
                self.posted.append((path, body))
                return self._answer(handler, 202, "text/plain", "")
            if path == "/moved":
                return self._answer(handler, 302, "text/plain", "moved",
                                    {"Location": "/teams/moved-here"})
            if path == "/slack/gone":
                return self._answer(handler, 404, "text/plain", "no_service")
            if path == "/slack/archived":
                return self._answer(handler, 410, "text/plain", "channel_is_archived")
            if path.startswith("/slack/"):
                if not isinstance(body, dict) or not body.get("text"):
                    return self._answer(handler, 400, "text/plain", "no_text")
                if not isinstance(body.get("blocks", []), list):
                    return self._answer(handler, 400, "text/plain", "invalid_blocks")
                self.posted.append((path, body))
                return self._answer(handler, 200, "text/plain", "ok")
            return self._answer(handler, 404, "text/plain", "not found")

    def _answer(self, handler: BaseHTTPRequestHandler, status: int, kind: str, text: str,
                headers: dict[str, str] | None = None) -> None:
        self.requests.append((handler.path, status))
        data = text.encode()
        handler.send_response(status)
        handler.send_header("Content-Type", kind)
        handler.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)
