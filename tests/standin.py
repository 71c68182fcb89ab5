"""The frame of the stand-in servers the integration tests talk to (an LRS, an identity
provider, the CRMs, the chat webhooks): real HTTP on 127.0.0.1 and a free port, in a thread,
with failures queued on order. Each stand-in answers in ``serve``."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


class StandInServer:
    def __init__(self) -> None:
        #: what the next requests should do instead of answering well (each stand-in says)
        self.failures: list[Any] = []
        self.lock = threading.Lock()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                standin.serve(self, "GET")

            def do_POST(self) -> None:  # noqa: N802
                standin.serve(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def root(self) -> str:
        """http://127.0.0.1:<port>, with no slash at the end."""
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        raise NotImplementedError

    def fail_next(self, *failures: Any) -> None:
        with self.lock:
            self.failures.extend(failures)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
