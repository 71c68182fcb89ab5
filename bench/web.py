"""Bench of the pages people open every day (never run as a test): ``python bench/web.py``.

For each organisation (the demo, then 10,000 people with a manager of about 500):

1. Builds a SQLite database in a temp dir: ``lms init``, ``lms content sync`` and ``lms demo``
   (36 salespeople with their history); for 10,000 people the demo's salespeople, with all
   their attempts, reading, assignments, certificates and deals, are copied in SQL into teams
   of 504 with a manager each (the build, not the bench, so it is done with plain SQL).
2. Starts the site (``gunicorn wsgi:app``) and ``bench/bare_app.py`` (one Flask page rendering an
   11 KB Jinja template) under the same settings: sync workers, 2 of them.
3. Logs in as each role and measures, with ``wrk`` (16 connections), each page's requests per
   second, alternating with the bare page in the same run (``--rounds`` times, medians), and
   prints the ratio. Saving answers and submitting are POSTs of real answers with the session's
   CSRF token; each submit is of its own open attempt, made (untimed) before each round and
   deleted after it, so no attempt limit runs out.

Targets (issue 12): every page >= 0.5x the bare page; saving and submitting >= 0.25x. The
first row, a logged-in "page not found", has no target: it is the floor every page stands on.
Needs ``wrk`` (Debian: ``apt-get install wrk``). Run: .venv/bin/python bench/web.py
[--seconds 4] [--rounds 3] [--only demo|large]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import requests
from werkzeug.security import generate_password_hash

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PASSWORD = "verkoopklaar-demo"
TEAM_SIZE = 504  # 14 copies of the demo's 36 salespeople
CONNECTIONS = 16
SUBMITS = 400  # fresh attempts per round of submitting
MANAGER_IDS = 100_000_000  # above every copied salesperson's id


# The organisations ------------------------------------------------------------------------------

def lms(db: Path, *args: str) -> None:
    env = {**os.environ, "LMS_DATABASE_URL": f"sqlite:///{db}"}
    subprocess.run([str(Path(PYTHON).parent / "lms"), *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def build_demo(work: Path) -> Path:
    db = work / "demo.sqlite3"
    lms(db, "init")
    lms(db, "content", "sync", "--quiet")
    lms(db, "demo")
    return db


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def build_large(demo: Path, work: Path, people: int) -> Path:
    """The demo with its salespeople copied until there are ``people`` of them."""
    db = work / "large.sqlite3"
    shutil.copyfile(demo, db)
    conn = sqlite3.connect(db)
    reps = conn.execute("SELECT count(*) FROM users WHERE role = 'learner'").fetchone()[0]
    conn.close()
    copy_reps(db, people // reps - 1, "Bench region")
    return db


def copy_reps(db: Path, copies: int, team_name: str, *, sales: bool = True) -> list[str]:
    """Copies of the demo's salespeople, each with all its rows (attempts with their answers
    and grades, reading, assignments, certificates, goals and, if ``sales``, deals); every 14
    copies form a team of 504 with its own manager. Ids are offset per copy. The copies log in
    with the demo password, hashed cheaply so that logging many in is quick. Returns their
    emails."""
    conn = sqlite3.connect(db, timeout=60)
    conn.execute("PRAGMA foreign_keys = OFF")
    reps = [r[0] for r in conn.execute("SELECT id FROM users WHERE role = 'learner' "
                                       "AND email LIKE 'rep%@demo.test' ORDER BY id")]
    user_step = conn.execute("SELECT max(id) FROM users WHERE id < ?",
                             (MANAGER_IDS,)).fetchone()[0] + 1
    attempt_step = conn.execute("SELECT max(id) FROM attempts").fetchone()[0] + 1
    cheap = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    rep_list = ",".join(map(str, reps))
    per_team = TEAM_SIZE // len(reps)
    user_cols = _columns(conn, "users")
    first_team = conn.execute("SELECT count(*) FROM teams WHERE name LIKE ?",
                              (f"{team_name} %",)).fetchone()[0]

    def copy(table: str, where: str, replace: dict[str, str]) -> None:
        cols = [c for c in _columns(conn, table) if c != "id" or "id" in replace]
        conn.execute(f"INSERT INTO {table} ({', '.join(cols)}) "
                     f"SELECT {', '.join(replace.get(c, c) for c in cols)} FROM {table} "
                     f"WHERE {where}")

    team_id = None
    for k in range(1, copies + 1):
        if (k - 1) % per_team == 0:
            number = first_team + (k - 1) // per_team + 1
            team_id = conn.execute("INSERT INTO teams (name, description, active, created_at) "
                                   "VALUES (?, '', 1, datetime('now'))",
                                   (f"{team_name} {number}",)).lastrowid
            manager = MANAGER_IDS + team_id
            conn.execute("INSERT INTO users (id, email, name, password_hash, role, active, "
                         "must_change_password, created_at, team_id) "
                         "VALUES (?, ?, ?, ?, 'manager', 1, 0, datetime('now'), ?)",
                         (manager, f"manager-of-team{team_id}@demo.test",
                          f"Manager of {team_name} {number}", cheap, team_id))
            conn.execute("INSERT INTO team_managers (team_id, user_id) VALUES (?, ?)",
                         (team_id, manager))
        u, a = k * user_step, k * attempt_step
        in_reps = f"user_id IN ({rep_list})"
        values = {c: c for c in user_cols}
        values.update(id=f"id + {u}", email=f"'t{team_id}c{k}-' || email",
                      name=f"name || ' {k}'", team_id=str(team_id), manager_id="NULL",
                      last_login_at="NULL", password_hash=f"'{cheap}'")
        conn.execute(f"INSERT INTO users ({', '.join(user_cols)}) SELECT "
                     f"{', '.join(values[c] for c in user_cols)} FROM users "
                     f"WHERE id IN ({rep_list})")
        copy("attempts", in_reps, {"id": f"id + {a}", "user_id": f"user_id + {u}"})
        attempt_of_rep = f"attempt_id IN (SELECT id FROM attempts WHERE {in_reps})"
        for table in ("attempt_questions", "submissions"):
            copy(table, attempt_of_rep, {"attempt_id": f"attempt_id + {a}"})
        for table in ("module_progress", "path_completions", "goals"):
            copy(table, in_reps, {"user_id": f"user_id + {u}"})
        copy("assignments", in_reps, {"user_id": f"user_id + {u}", "team_id": "NULL"})
        if sales:
            copy("sales", in_reps, {"user_id": f"user_id + {u}", "crm_id": f"crm_id || '-{k}'",
                                    "owner_email": "NULL"})
    conn.commit()
    conn.execute("ANALYZE")
    emails = [r[0] for r in conn.execute("SELECT email FROM users WHERE email LIKE ? ORDER BY id",
                                         ("t%c%-rep%@demo.test",))]
    conn.close()
    return emails


# Servers and clients ----------------------------------------------------------------------------

def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(target: str, env: dict[str, str], cwd: Path) -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "-k", "sync", "-w", "2", "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", target],
        cwd=cwd, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/", timeout=2).close()
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start: " + process.stderr.read().decode())
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


class Form(HTMLParser):
    """The fields of the first form with a given button: what a browser would send."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self.text: list[str] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox"):
                self.fields.setdefault(name, [])
                if not self.fields[name]:
                    self.fields[name].append(a.get("value") or "on")
            elif kind not in ("submit", "button"):
                self.fields[name] = [a.get("value") or ("3" if kind == "number" else "answer")]
        elif tag == "textarea" and name:
            self.fields[name] = ["An answer in words."]
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and a.get("value"):
            self.fields.setdefault(self._select, [a["value"]])

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def form_body(html: str, action: str) -> str:
    parser = Form()
    parser.feed(html)
    pairs = [(k, v) for k, values in parser.fields.items() for v in values]
    pairs.append(("action", action))
    return urllib.parse.urlencode(pairs)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(base: str, email: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/login")
    response = session.post(f"{base}/login", data={
        "csrf_token": csrf_of(page.text), "email": email, "password": PASSWORD},
        allow_redirects=False)
    assert response.status_code == 302, f"login of {email} failed ({response.status_code})"
    return session


def cookie_header(session: requests.Session) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


@dataclass
class Request:
    method: str
    path: str
    cookie: str
    body: str = ""


@dataclass
class Target:
    label: str
    requests: list[Request]
    target: float
    before_round: object = None  # a callable making fresh requests for a round
    after_round: object = None


def lua_script(reqs: list[Request], path: Path, *, once: bool = False) -> Path:
    """wrk cycles through the requests across all its connections; with ``once`` it stops
    after the last one (each submit needs an attempt of its own), and the rate is the
    requests over the time they took."""
    def s(v: str) -> str:
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ["local reqs = {"]
    for r in reqs:
        headers = f'{{["Cookie"] = {s(r.cookie)}'
        if r.method == "POST":
            headers += ', ["Content-Type"] = "application/x-www-form-urlencoded"'
        lines.append(f"  wrk.format({s(r.method)}, {s(r.path)}, {headers}}}, "
                     f"{s(r.body) if r.body else 'nil'}),")
    lines += ["}", "local i, answered = 0, 0"]
    if once:
        lines += ["request = function() i = i + 1; return reqs[math.min(i, #reqs)] end",
                  "response = function() answered = answered + 1",
                  "  if answered >= #reqs then wrk.thread:stop() end end"]
    else:
        lines += ["request = function() i = i % #reqs + 1; return reqs[i] end"]
    path.write_text("\n".join(lines))
    return path


def wrk(base: str, script: Path, seconds: float, *, once: bool = False) -> tuple[float, int, int]:
    """Requests per second, requests made, and requests answered with a 4xx or 5xx. With
    ``once`` wrk stops sending after the last request but still waits out the duration, so the
    rate is the connections over the mean latency (Little's law for a closed loop)."""
    # One wrk thread drives all connections (one Lua state: each request is sent once).
    out = subprocess.run(["wrk", "-t", "1", "-c", str(CONNECTIONS), "-d", f"{seconds:g}s",
                          "-s", str(script), base], capture_output=True, text=True, check=True)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out.stdout).group(1))
    total = int(re.search(r"(\d+) requests in", out.stdout).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out.stdout)
    if once:
        value, unit = re.search(r"Latency\s+([\d.]+)(us|ms|s)", out.stdout).groups()
        latency = float(value) / {"us": 1e6, "ms": 1e3, "s": 1}[unit]
        rate = min(CONNECTIONS, total) / latency
    return rate, total, int(bad.group(1)) if bad else 0


# The measurement ---------------------------------------------------------------------------------

@dataclass
class Result:
    label: str
    target: float
    ratios: list[float] = field(default_factory=list)
    rates: list[float] = field(default_factory=list)
    note: str = ""


def warm(site: str, reqs: list[Request]) -> None:
    """A few requests at once before timing, so every worker has filled its caches (a report
    for 10,000 people takes seconds cold; the bench times the view people repeat)."""
    from concurrent.futures import ThreadPoolExecutor

    def one(r: Request) -> None:
        requests.request(r.method, site + r.path, data=r.body or None, timeout=600,
                         allow_redirects=False, headers={
                             "Cookie": r.cookie,
                             "Content-Type": "application/x-www-form-urlencoded"})

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(one, [reqs[0]] * 4))
        list(pool.map(one, [reqs[0]] * 4))


def measure(site: str, bare: str, targets: list[Target], seconds: float, rounds: int,
            work: Path) -> list[Result]:
    bare_script = lua_script([Request("GET", "/", "")], work / "bare.lua")
    results = []
    for t in targets:
        result = Result(t.label, t.target)
        if t.requests:
            warm(site, t.requests)
        for _ in range(rounds):
            reqs = t.before_round() if t.before_round else t.requests
            once = t.before_round is not None
            script = lua_script(reqs, work / "page.lua", once=once)
            bare_rate = wrk(bare, bare_script, seconds)[0]
            # Submits stop after the last fresh attempt; the duration is only a cap then.
            rate, total, bad = wrk(site, script, seconds * 3 if once else seconds, once=once)
            if t.after_round:
                t.after_round()
            if bad and t.target:
                result.note = f"{bad} of {total} answered 4xx/5xx"
            if once and total > len(reqs) + CONNECTIONS:
                result.note = f"ran out of fresh attempts ({total} > {len(reqs)})"
            result.ratios.append(rate / bare_rate)
            result.rates.append(rate)
        results.append(result)
        print(f"  {t.label:<44}{statistics.median(result.rates):>8.0f}/s"
              f"{statistics.median(result.ratios):>7.2f}x  {result.note}", flush=True)
    return results


def learner_targets(site: str, emails: list[str], quizzes: list[str]) -> list[Target]:
    """Dashboard, module, the quiz's overview and an attempt being answered, and saving, as
    the first of these learners who can start one of the quizzes."""
    for email in emails:
        session = login(site, email)
        attempt = _open_attempt(session, site, quizzes)
        if attempt:
            break
    else:
        raise RuntimeError("none of the learners can start a quiz")
    dashboard = session.get(f"{site}/learn/").text
    modules = re.findall(r'href="(/learn/modules/[^"?#]+)"', dashboard)
    assert modules, "the learner's dashboard links no module"
    save_body = form_body(session.get(f"{site}{attempt}").text, "save")
    cookie = cookie_header(session)  # after a page with a CSRF token: see Submissions
    return [
        # No target: the least a logged-in page does (the session looked up, the person, the
        # menu and the page frame, 2 statements), so what each page adds can be read off.
        Target("reference: page not found, logged in",
               [Request("GET", "/learn/no-such-page", cookie)], 0.0),
        Target("learner dashboard /learn/", [Request("GET", "/learn/", cookie)], 0.5),
        Target("module page", [Request("GET", modules[0], cookie)], 0.5),
        Target("quiz page (overview)", [Request("GET", quizzes[0], cookie)], 0.5),
        Target("quiz page (answering an attempt)", [Request("GET", attempt, cookie)], 0.5),
        Target("saving answers", [Request("POST", f"{attempt}/save", cookie, save_body)], 0.25),
    ]


def _open_attempt(session: requests.Session, site: str, quizzes: list[str]) -> str | None:
    """The learner's open attempt of one of these quizzes, started if need be."""
    for quiz in quizzes:
        page = session.get(f"{site}{quiz}").text
        form = re.search(r'action="(/learn/quizzes/[^"]+/start)"', page)
        if form:
            r = session.post(f"{site}{form.group(1)}", data={"csrf_token": csrf_of(page)},
                             allow_redirects=False)
            path = urllib.parse.urlparse(r.headers.get("Location", "")).path
            if re.fullmatch(r"/learn/attempts/\d+", path):
                return path
    return None


class Submissions:
    """Fresh open attempts for each round of submitting: started through the site by many
    learners (untimed), their answers read off the attempt page, and deleted after the round
    so that no attempt limit runs out."""

    def __init__(self, site: str, db: Path, emails: list[str], quizzes: list[str],
                 needed: int) -> None:
        self.site, self.db, self.quizzes, self.needed = site, db, quizzes, needed
        self.emails = emails
        self.sessions: dict[str, requests.Session] = {}
        self.made: list[int] = []

    def before_round(self) -> list[Request]:
        reqs: list[Request] = []
        for email in self.emails:
            if email not in self.sessions:
                self.sessions[email] = login(self.site, email)
            session = self.sessions[email]
            for quiz in self.quizzes:
                page = session.get(f"{self.site}{quiz}").text
                form = re.search(r'action="(/learn/quizzes/[^"]+/start)"', page)
                if not form:
                    continue
                r = session.post(f"{self.site}{form.group(1)}",
                                 data={"csrf_token": csrf_of(page)}, allow_redirects=False)
                path = urllib.parse.urlparse(r.headers.get("Location", "")).path
                if not re.fullmatch(r"/learn/attempts/\d+", path):
                    continue
                self.made.append(int(path.rsplit("/", 1)[1]))
                body = form_body(session.get(f"{self.site}{path}").text, "submit")
                # After the page: rendering the first CSRF token of a session updates its cookie.
                reqs.append(Request("POST", f"{path}/save", cookie_header(session), body))
                if len(reqs) >= self.needed:
                    return reqs
        return reqs

    def after_round(self) -> None:
        ids = ",".join(map(str, self.made)) or "0"
        conn = sqlite3.connect(self.db, timeout=60)
        for sql in (f"DELETE FROM attempt_questions WHERE attempt_id IN ({ids})",
                    f"DELETE FROM submissions WHERE attempt_id IN ({ids})",
                    f"DELETE FROM attempts WHERE id IN ({ids})"):
            conn.execute(sql)
        conn.commit()
        conn.close()
        self.made.clear()


def quiz_links(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    slugs = [r[0] for r in conn.execute("SELECT slug FROM content_items WHERE kind = 'quiz' "
                                        "AND retired_at IS NULL ORDER BY slug")]
    conn.close()
    return [f"/learn/quizzes/{slug}" for slug in slugs]


def staff_targets(site: str, manager: str) -> list[Target]:
    """The manager's readiness report, and the admin's and trainer's pages."""
    def get(email: str, path: str) -> Request:
        return Request("GET", path, cookie_header(login(site, email)))

    return [
        Target("readiness report (manager)", [get(manager, "/manage/reports/")], 0.5),
        Target("Sales performance (admin)", [get("admin@demo.test", "/manage/sales-reports/")],
               0.5),
        Target("Training impact (admin)",
               [get("admin@demo.test", "/manage/sales-reports/impact")], 0.5),
        Target("content list (trainer)", [get("trainer@demo.test", "/author/")], 0.5),
    ]


def learner_emails(db: Path, team: str | None, count: int) -> list[str]:
    conn = sqlite3.connect(db)
    sql = ("SELECT u.email FROM users u LEFT JOIN teams t ON t.id = u.team_id "
           "WHERE u.role = 'learner' AND u.active" + (" AND t.name = ?" if team else "")
           + " ORDER BY u.id LIMIT ?")
    emails = [r[0] for r in conn.execute(sql, (team, count) if team else (count,))]
    conn.close()
    return emails


def manager_of(db: Path, team: str) -> str:
    conn = sqlite3.connect(db)
    email = conn.execute("SELECT u.email FROM users u JOIN team_managers m ON m.user_id = u.id "
                         "JOIN teams t ON t.id = m.team_id WHERE t.name = ?",
                         (team,)).fetchone()[0]
    conn.close()
    return email


def run_world(name: str, db: Path, work: Path, args: argparse.Namespace) -> list[Result]:
    conn = sqlite3.connect(db)
    people = conn.execute("SELECT count(*) FROM users WHERE role = 'learner'").fetchone()[0]
    deals = conn.execute("SELECT count(*) FROM sales").fetchone()[0]
    conn.close()
    large = name == "large"
    team = "Bench region 1" if large else None
    manager = manager_of(db, team) if large else "manager1@demo.test"
    env = {"LMS_DATABASE_URL": f"sqlite:///{db}", "LMS_SECRET_KEY": "bench",
           "LMS_INSTANCE_PATH": str(work / f"instance-{name}"),
           "LMS_LOGIN_RATE_LIMIT": "100000 per minute"}
    print(f"\n{name}: {people:,} salespeople, {deals:,} deals; gunicorn sync, 2 workers; "
          f"wrk {CONNECTIONS} connections, {args.seconds:g} s x {args.rounds} rounds "
          f"(load average {os.getloadavg()[0]:.1f})", flush=True)
    with gunicorn("wsgi:app", env, ROOT) as site, \
            gunicorn("bare_app:app", {}, ROOT / "bench") as bare:
        quizzes = quiz_links(db)
        learners = learner_emails(db, team, 40)
        targets = learner_targets(site, learners, quizzes) + staff_targets(site, manager)
        results = measure(site, bare, targets, args.seconds, args.rounds, work)
        # Submitting last: each round needs hundreds of fresh attempts, so the demo gets
        # copies of its salespeople (in teams of their own, without deals) to make them.
        submitters = (learner_emails(db, team, TEAM_SIZE) if large
                      else copy_reps(db, 20, "Bench submitters", sales=False))
        submissions = Submissions(site, db, submitters, quizzes,
                                  needed=SUBMITS)
        results += measure(site, bare, [Target(
            "submitting an attempt", [], 0.25, before_round=submissions.before_round,
            after_round=submissions.after_round)], args.seconds, args.rounds, work)
        return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--only", choices=("demo", "large"))
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("bench/web.py needs wrk (Debian: apt-get install wrk); skipped")
        return
    random.seed(12)
    work = Path(tempfile.mkdtemp(prefix="lms-bench-web-"))
    try:
        started = time.perf_counter()
        demo = build_demo(work)
        print(f"demo organisation built in {time.perf_counter() - started:.0f} s", flush=True)
        results = []
        if args.only != "large":
            results += run_world("demo", demo, work, args)
        if args.only != "demo":
            started = time.perf_counter()
            large = build_large(demo, work, args.people)
            print(f"\n{args.people:,}-person organisation built in "
                  f"{time.perf_counter() - started:.0f} s", flush=True)
            results += run_world("large", large, work, args)
        missed = [r for r in results if statistics.median(r.ratios) < r.target or r.note]
        print("\nall pages at or above their targets (0.5x; saving and submitting 0.25x)"
              if not missed else "\nMISSED: " + "; ".join(
                  f"{r.label} {statistics.median(r.ratios):.2f}x {r.note}".strip()
                  for r in missed))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
