"""Scheduled work on several servers: ``lms reminders send`` started on every app server at
the same moment does the work once. The lease (``lms.maintenance.leases``) lets one run take
the job; the others say who has it and do nothing; a run that died frees it when it expires."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from lms.extensions import db
from lms.maintenance.leases import give_back, take
from lms.models import JobLease, ReminderLog
from lms.models.base import utcnow
from tests.conftest import REPO
from tests.web.test_reminders import DAY, SENDER, inbox, mail_ca, org, send, trusted_ca  # noqa: F401


def test_one_run_takes_the_job_and_the_next_sees_who_has_it(app):
    assert take("reminders", holder="server-a") is None
    held = take("reminders", holder="server-b")
    assert held is not None and held.holder == "server-a"
    give_back("reminders", "server-b")  # not theirs to give back
    assert take("reminders", holder="server-c").holder == "server-a"
    give_back("reminders", "server-a")
    assert take("reminders", holder="server-b") is None


def test_a_lease_left_by_a_run_that_died_is_taken_over_when_it_expires(app):
    long_ago = utcnow() - timedelta(hours=3)
    assert take("reminders", holder="crashed", now=long_ago, seconds=60) is None
    assert take("reminders", holder="server-b") is None
    assert db.session.scalar(select(JobLease.holder)) == "server-b"


def test_reminders_held_by_another_run_are_left_to_it(app, runner, org, inbox):  # noqa: F811
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{inbox.port}"
    take("reminders", holder="app-2 pid 4711")
    result = send(runner)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Reminders are being sent by another run (app-2 pid 4711")
    assert inbox.received == [] and not db.session.scalar(
        select(func.count()).select_from(ReminderLog))
    give_back("reminders", "app-2 pid 4711")
    assert "sent 5 mails" in send(runner).output
    # The run gave its lease back: nothing is left held.
    assert db.session.scalar(select(func.count()).select_from(JobLease)) == 0


def test_two_servers_starting_reminders_at_once_send_each_mail_once(
        app, org, inbox, database_url, tmp_path):  # noqa: F811
    # LMS_DEFAULT_LOCALE: the command speaks the English these assertions read.
    env = {**os.environ, "LMS_DATABASE_URL": database_url, "LMS_SECRET_KEY": "test-secret",
           "LMS_DEFAULT_LOCALE": "en",
           "LMS_INSTANCE_PATH": str(tmp_path / "cron-instance"),
           "LMS_SMTP_URL": f"smtp://127.0.0.1:{inbox.port}", "LMS_MAIL_FROM": SENDER,
           "LMS_REMINDER_DAYS_BEFORE": "3"}
    lms = str(Path(sys.executable).with_name("lms"))  # the console script beside python
    command = [lms, "reminders", "send", "--today", DAY.isoformat()]
    runs = [subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert sum("sent 5 mails" in out for out in outputs) == 1, outputs
    # The other run found the job taken, or (started after it ended) nothing left to send.
    assert all("sent 5 mails" in out or "another run" in out or "sent 0 mails" in out
               for out in outputs), outputs
    assert len(inbox.received) == 5
    for address in ("anna@example.com", "carla@example.com", "dirk@example.com",
                    "mia@example.com", "otto@example.com"):
        inbox.to(address)  # exactly one each

