"""The locust learners: run as ``python -m bench.loadtest.swarm --host URL --learners N ...``,
writing what they did and locust's figures to a JSON file.

Each learner logs in once with its own account, then over and over: opens the dashboard, opens
a module and marks it read, opens its quiz, starts an attempt, saves answers to half the
questions, then to the other half, submits without sending answers (so the grade must come from
what was saved) and opens the result. Every save the server accepted and every submit sent is
recorded, for the checks in the database afterwards.

Its own process, because importing locust monkey-patches the standard library with gevent.
"""

from __future__ import annotations

# Nothing imported before locust opens sockets or starts threads, so its gevent monkey-patching
# (done on import) still covers everything the learners use.
import argparse
import itertools
import json
import random
import re
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import gevent
from gevent import GreenletExit
from locust import FastHttpUser, between, task
from locust.env import Environment
from locust.exception import RescheduleTask, StopUser

from .accounts import PASSWORD, learner_address, learner_email
from .pages import answers, csrf_token, quiz_form

#: Modules without prerequisites whose quizzes allow any number of attempts with no wait, so a
#: learner can take them again and again (module slug = quiz slug in the sample content).
MODULES = ("company-and-product-range", "customer-segments-and-personas")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
_ATTEMPT = re.compile(r"/learn/attempts/(\d+)$")


class Record:
    """What the learners did that the database must show afterwards."""

    def __init__(self) -> None:
        self.logins = 0
        self.saves: dict[int, list[list[tuple[str, str]]]] = {}
        self.submits: list[int] = []
        #: Submits cut off by the end of the run: sent or not, the server may have graded them.
        self.interrupted: list[int] = []
        self.statuses: Counter[int] = Counter()


RECORD = Record()


class Learner(FastHttpUser):
    wait_time = between(2, 5)  # seconds on a page: main() sets it from --think
    _numbers = itertools.count()

    def __init__(self, environment: Environment) -> None:
        self.number = next(Learner._numbers)
        self.default_headers = {"X-Forwarded-For": learner_address(self.number)}
        self.rng = random.Random(self.number)
        super().__init__(environment)

    def think(self) -> None:
        """A learner's pause on a page. Not ``User.wait``, where the end of the run may stop
        the learner: it finishes the round it is in, so each submit sent is answered."""
        gevent.sleep(self.wait_time())

    def _request(self, method: str, path: str, name: str, expect: int,
                 data: list[tuple[str, str]] | None = None) -> Any:
        """One request; anything but the ``expect``ed status fails it and ends this round."""
        with self.client.request(method, path, name=name, allow_redirects=False,
                                 catch_response=True,
                                 data=urlencode(data) if data is not None else None,
                                 headers=FORM if data is not None else None) as response:
            if response.status_code != expect:
                response.failure(f"status {response.status_code}, expected {expect}")
                raise RescheduleTask()
            return response

    def _page(self, path: str, name: str) -> tuple[str, str]:
        html = self._request("GET", path, name, 200).text or ""
        token = csrf_token(html)
        if token is None:
            raise RescheduleTask()
        return html, token

    def on_start(self) -> None:
        try:
            _, token = self._page("/login", "login page")
            self._request("POST", "/login", "log in", 302,
                          [("email", learner_email(self.number)), ("password", PASSWORD),
                           ("csrf_token", token)])
        except RescheduleTask:
            raise StopUser() from None
        RECORD.logins += 1

    @task
    def take_a_quiz(self) -> None:
        self._request("GET", "/learn/", "dashboard", 200)
        self.think()
        slug = self.rng.choice(MODULES)
        _, token = self._page(f"/learn/modules/{slug}", "module")
        self.think()
        self._request("POST", f"/learn/modules/{slug}/read", "mark read", 302,
                      [("csrf_token", token)])
        _, token = self._page(f"/learn/quizzes/{slug}", "quiz overview")
        self.think()
        started = self._request("POST", f"/learn/quizzes/{slug}/start", "start attempt", 302,
                                [("csrf_token", token)])
        match = _ATTEMPT.search(urlsplit(started.headers.get("Location", "")).path)
        if match is None:
            raise RescheduleTask()
        attempt_id = int(match.group(1))
        page = f"/learn/attempts/{attempt_id}"
        html, token = self._page(page, "attempt page")
        questions = quiz_form(html)
        half = (len(questions) + 1) // 2
        for part in (questions[:half], questions[half:]):
            if not part:
                continue
            self.think()
            fields = answers(part, self.rng)
            self._request("POST", f"{page}/save", "save answers", 302,
                          [*fields, ("action", "save"), ("csrf_token", token)])
            RECORD.saves.setdefault(attempt_id, []).append(fields)
            _, token = self._page(page, "attempt page")
        self.think()
        try:
            self._request("POST", f"{page}/save", "submit", 302,
                          [("action", "submit"), ("csrf_token", token)])
        except GreenletExit:
            RECORD.interrupted.append(attempt_id)
            raise
        finally:
            RECORD.submits.append(attempt_id)  # made, whatever the answer
        self._request("GET", f"{page}/result", "result", 200)


def _count_status(response: Any = None, **_kwargs: Any) -> None:
    RECORD.statuses[getattr(response, "status_code", 0) or 0] += 1


def _figures(entry: Any) -> dict[str, Any]:
    return {"name": entry.name, "method": entry.method, "requests": entry.num_requests,
            "failures": entry.num_failures, "rps": round(entry.total_rps, 2),
            "p50": entry.get_response_time_percentile(0.5),
            "p95": entry.get_response_time_percentile(0.95),
            "p99": entry.get_response_time_percentile(0.99),
            "max": entry.max_response_time}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--learners", type=int, required=True)
    parser.add_argument("--spawn-rate", type=float, required=True, help="learners per second")
    parser.add_argument("--run-time", type=float, required=True, help="seconds")
    parser.add_argument("--think", type=float, nargs=2, required=True,
                        metavar=("MIN", "MAX"), help="seconds a learner spends on a page")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    Learner.host = args.host
    Learner.wait_time = between(*args.think)
    # Stopping lets each learner finish its round (see Learner.think).
    env = Environment(user_classes=[Learner], stop_timeout=120)
    env.events.request.add_listener(_count_status)
    runner = env.create_local_runner()
    runner.start(args.learners, spawn_rate=args.spawn_rate)
    gevent.spawn_later(args.run_time, runner.quit)
    runner.greenlet.join()

    stats = env.stats
    result = {
        "learners": args.learners, "run_time": args.run_time, "think": list(args.think),
        "seconds": round((stats.last_request_timestamp or 0) - (stats.start_time or 0), 1),
        "logins": RECORD.logins,
        "saves": {str(k): v for k, v in RECORD.saves.items()},
        "submits": RECORD.submits, "interrupted": RECORD.interrupted,
        "statuses": {str(k): v for k, v in sorted(RECORD.statuses.items())},
        "entries": [_figures(e) for e in sorted(stats.entries.values(), key=lambda e: e.name)],
        "total": _figures(stats.total),
        "errors": [f"{e.method} {e.name}: {e.error} ({e.occurrences}x)"
                   for e in stats.errors.values()],
        "exceptions": [f"{e['msg']} ({e['count']}x)\n{e['traceback']}"
                       for e in runner.exceptions.values()],
    }
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
