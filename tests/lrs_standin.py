"""A stand-in learning record store on 127.0.0.1 for the xAPI tests: the statements resource of
xAPI 1.0.3 as far as a statement provider sees it, with failures on order.

POST /statements takes an array (or one statement), checks basic auth and the version header,
stores each statement by id and answers 200 with the ids; a batch holding an id it already has
answers 409 and stores nothing of it (a batch is all or nothing); a statement whose
``object.id`` contains "refuse-me" answers 400. ``fail_next`` queues failures for the next
requests: ``500``, ``"drop"`` (stores the batch, then closes the connection without an answer,
as a server that dies after committing), ``"drop-before"`` (closes before storing) and ``429``
(with ``Retry-After: 0``).
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.standin import StandInServer


class StandInLrs(StandInServer):
    def __init__(self, username: str = "key", password: str = "secret") -> None:
        super().__init__()
        self.auth = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
        self.stored: dict[str, dict[str, Any]] = {}
        #: how many times each id was stored (must stay 1)
        self.stored_count: Counter[str] = Counter()
        self.requests: list[tuple[int | str, int]] = []  # (answer, statements in the request)

    @property
    def url(self) -> str:
        return f"{self.root}/xapi"

    def serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        if method == "POST":
            self.handle(handler)
        else:
            self._answer(handler, 405, {"error": "statements are POSTed"})

    def _answer(self, handler: BaseHTTPRequestHandler, status: int, body: Any,
                headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.send_header("X-Experience-API-Version", "1.0.3")
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def _drop(self, handler: BaseHTTPRequestHandler) -> None:
        handler.close_connection = True
        handler.connection.close()

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length", 0))
        raw = handler.rfile.read(length)
        with self.lock:
            failure = self.failures.pop(0) if self.failures else None
            if handler.path != "/xapi/statements":
                return self._record(handler, 404, {"message": "no such resource"}, 0)
            if handler.headers.get("Authorization") != self.auth:
                return self._record(handler, 401, {"message": "bad credentials"}, 0)
            if handler.headers.get("X-Experience-API-Version") != "1.0.3":
                return self._record(handler, 400, {"message": "version header missing"}, 0)
            body = json.loads(raw)
            batch = body if isinstance(body, list) else [body]
            if failure == 500:
                return self._record(handler, 500, {"message": "database is down"}, len(batch))
            if failure == 429:
                return self._record(handler, 429, {"message": "slow down"}, len(batch),
                                    {"Retry-After": "0"})
            if failure == "drop-before":
                self.requests.append(("drop-before", len(batch)))
                return self._drop(handler)
            refused = [s for s in batch if "refuse-me" in str(s.get("object", {}).get("id"))]
            if refused:
                return self._record(handler, 400, {
                    "message": f"statement {refused[0]['id']}: object.id not accepted"},
                    len(batch))
            if any(s["id"] in self.stored for s in batch):
                return self._record(handler, 409, {"message": "a statement with this id "
                                                   "exists"}, len(batch))
            for statement in batch:
                self.stored[statement["id"]] = statement
                self.stored_count[statement["id"]] += 1
            if failure == "drop":
                self.requests.append(("drop", len(batch)))
                return self._drop(handler)
            return self._record(handler, 200, [s["id"] for s in batch], len(batch))

    def _record(self, handler: BaseHTTPRequestHandler, status: int, body: Any, size: int,
                headers: dict[str, str] | None = None) -> None:
        self.requests.append((status, size))
        self._answer(handler, status, body, headers)
