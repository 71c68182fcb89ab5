"""Reminder mails: ``lms reminders send`` against a real local SMTP server (aiosmtpd), the log
fallback, the dry run, the once-a-day and once-a-week rules, and a mail server that fails."""

from __future__ import annotations

import email
import email.policy
import logging
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import func, select

from lms.extensions import db
from lms.learning.assignments import assign, withdraw
from lms.learning.catalog import live_item
from lms.models import ContentKind, ModuleProgress, ReminderLog, Role, User, utcnow
from lms.reminders.compose import DueItem, OverdueLine, learner_mail, manager_digest, when_due
from tests.factories import make_team, make_user
from tests.learning_helpers import sync, write_practice

DAY = date(2026, 3, 10)
SENDER = "Verkoopklaar <training@brewline.example>"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Inbox:
    """What the SMTP server received, parsed, and whether each login and mail came over TLS."""

    port: int
    received: list = field(default_factory=list)
    logins: list = field(default_factory=list)
    encrypted: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append((envelope.rcpt_tos, message))
        self.encrypted.append(session.ssl is not None)
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data):  # noqa: ANN001, ANN201
        self.logins.append((auth_data.login.decode(), auth_data.password.decode(),
                            session.ssl is not None))
        # handled=False: the server answers 535 itself when the password is wrong.
        return AuthResult(success=auth_data.password == b"p@ss:word", handled=False)

    def to(self, address: str):  # noqa: ANN201
        found = [m for rcpt, m in self.received if rcpt == [address]]
        assert len(found) == 1, f"{len(found)} mails to {address}"
        return found[0]


@pytest.fixture(scope="session")
def mail_ca() -> trustme.CA:
    """A certificate authority of our own, for the test mail servers' certificates."""
    return trustme.CA()


@pytest.fixture
def trusted_ca(mail_ca, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """Make the mailer trust the test CA, as ``SSL_CERT_FILE`` does for a private CA."""
    bundle = tmp_path / "ca.pem"
    mail_ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))


def start_server(box: Inbox, mail_ca: trustme.CA | None, **options) -> Controller:  # noqa: ANN003
    """aiosmtpd on 127.0.0.1, offering STARTTLS with a certificate from ``mail_ca``."""
    if mail_ca is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        mail_ca.issue_cert("127.0.0.1").configure_cert(context)
        options["tls_context"] = context
    controller = Controller(box, hostname="127.0.0.1", port=box.port,
                            authenticator=box.authenticate, **options)
    controller.start()
    return controller


@pytest.fixture
def inbox(mail_ca, trusted_ca) -> Iterator[Inbox]:  # noqa: ANN001
    """A mail server as providers run them on port 587: STARTTLS, and AUTH only after it."""
    box = Inbox(free_port())
    controller = start_server(box, mail_ca, auth_require_tls=True)
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def org(app, content_copy):  # noqa: ANN001, ANN201
    """On 10 March 2026, with reminders 3 days before the due date:

    Anna (Noord): path overdue since 1 March, module due on 12 March (due soon)
    Bob (Noord): module due on 20 March (too far off), a withdrawn overdue path
    Carla (Noord-Oost, below Noord): module overdue since 9 March
    Dirk (Zuid): path overdue since 1 February
    Eva (Noord): module due on 5 March, but complete; Ivo (Noord, deactivated): overdue
    """
    write_practice(content_copy)
    sync(content_copy)
    module = live_item(ContentKind.MODULE, "practice-module")
    path = live_item(ContentKind.PATH, "practice-path")
    mia = make_user(Role.MANAGER, email="mia@example.com", name="Mia Manager")
    otto = make_user(Role.MANAGER, email="otto@example.com", name="Otto Other")
    noord = make_team("Team Noord", managers=[mia])
    oost = make_team("Team Noord-Oost", parent=noord)
    zuid = make_team("Team Zuid", managers=[otto])
    people = {}
    for name, team in (("Anna Alpha", noord), ("Bob Bravo", noord), ("Carla Charlie", oost),
                       ("Dirk Delta", zuid), ("Eva Echo", noord), ("Ivo Inactive", noord)):
        first = name.split()[0].lower()
        people[first] = make_user(email=f"{first}@example.com", name=name, team=team,
                                  active=first != "ivo")
    assign(people["anna"], path, due_date=date(2026, 3, 1))
    assign(people["anna"], module, due_date=date(2026, 3, 12))
    assign(people["bob"], module, due_date=date(2026, 3, 20))
    withdraw(assign(people["bob"], path, due_date=date(2026, 2, 1)))
    assign(people["carla"], module, due_date=date(2026, 3, 9))
    assign(people["dirk"], path, due_date=date(2026, 2, 1))
    assign(people["eva"], module, due_date=date(2026, 3, 5))
    db.session.add(ModuleProgress(user_id=people["eva"].id, module_id=module.id,
                                  read_at=utcnow(), completed_at=utcnow()))
    assign(people["ivo"], module, due_date=date(2026, 3, 1))
    db.session.commit()
    app.config.update(MAIL_FROM=SENDER, REMINDER_DAYS_BEFORE=3)
    return people


def send(runner, day: date = DAY, *extra: str):  # noqa: ANN001, ANN201
    return runner.invoke(args=["reminders", "send", "--today", day.isoformat(), *extra])


def body(message) -> str:  # noqa: ANN001
    return message.get_body(preferencelist=("plain",)).get_content()


def logged() -> int:
    return db.session.scalar(select(func.count()).select_from(ReminderLog))


def test_learners_and_managers_get_their_mails_through_smtp(app, runner, org, inbox):
    app.config["SMTP_URL"] = f"smtp://trainer%40brewline:p%40ss%3Aword@127.0.0.1:{inbox.port}"
    result = send(runner)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == ("Reminders for 2026-03-10: sent 5 mails (3 to learners, "
                                     "2 manager digests); skipped 0 reminders already sent.")
    # The password went over TLS (STARTTLS), and so did every mail.
    assert inbox.logins == [("trainer@brewline", "p@ss:word", True)]
    assert inbox.encrypted == [True] * 5
    assert sorted(rcpt[0] for rcpt, _ in inbox.received) == [
        "anna@example.com", "carla@example.com", "dirk@example.com", "mia@example.com",
        "otto@example.com"]

    anna = inbox.to("anna@example.com")
    assert anna["From"] == SENDER and anna["Auto-Submitted"] == "auto-generated"
    assert anna["Subject"] == "Overdue training: 1 item past the due date"
    text = body(anna)
    assert "Hello Anna," in text
    assert "- Practice path (learning path): due 1 Mar 2026, 9 days overdue" in text
    assert "- Practice module (module): due 12 Mar 2026, due in 2 days" in text
    html = anna.get_body(preferencelist=("html",)).get_content()
    assert "<strong>Practice path</strong>" in html
    assert inbox.to("carla@example.com")["Subject"] == "Overdue: Practice module"

    digest = inbox.to("mia@example.com")
    assert digest["Subject"] == "Overdue training in your teams: 2 items, 2 people"
    text = body(digest)
    # Her own team and the team below it; not Zuid, not the complete, withdrawn or
    # deactivated ones, not what is merely due soon.
    assert "- Anna Alpha (Team Noord): Practice path, due 1 Mar 2026, 9 days overdue" in text
    assert ("- Carla Charlie (Team Noord-Oost): Practice module, due 9 Mar 2026, "
            "1 day overdue") in text
    for absent in ("Dirk", "Bob", "Eva", "Ivo", "12 Mar"):
        assert absent not in text
    assert "<table" in digest.get_body(preferencelist=("html",)).get_content()
    assert "Dirk Delta (Team Zuid): Practice path, due 1 Feb 2026, 37 days overdue" \
        in body(inbox.to("otto@example.com"))
    assert logged() == 6  # anna ×2, carla, dirk, and two digests


def test_running_twice_a_day_sends_nothing_twice(app, runner, org, inbox):
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{inbox.port}"
    assert send(runner).exit_code == 0
    assert len(inbox.received) == 5
    again = send(runner)
    assert again.exit_code == 0, again.output
    assert ("sent 0 mails (0 to learners, 0 manager digests); skipped 6 reminders already "
            "sent") in again.output
    assert len(inbox.received) == 5 and logged() == 6


def test_due_soon_once_and_overdue_at_most_once_a_week(app, runner, org, inbox):
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{inbox.port}"
    send(runner)
    inbox.received.clear()
    # Next day: the due-soon reminder is not repeated, the overdue ones wait a week; the
    # managers get their daily digest.
    send(runner, DAY + timedelta(days=1))
    assert sorted(rcpt[0] for rcpt, _ in inbox.received) == ["mia@example.com",
                                                             "otto@example.com"]
    inbox.received.clear()
    # 13 March: Anna's module became overdue yesterday: its first overdue reminder.
    send(runner, date(2026, 3, 13))
    anna = inbox.to("anna@example.com")
    assert anna["Subject"] == "Overdue: Practice module"
    assert "1 day overdue" in body(anna) and "Practice path" not in body(anna)
    inbox.received.clear()
    # A week after the first: the overdue reminders come again (and Bob's module, due on the
    # 20th, is now due soon).
    send(runner, DAY + timedelta(days=7))
    assert sorted(rcpt[0] for rcpt, _ in inbox.received) == [
        "anna@example.com", "bob@example.com", "carla@example.com", "dirk@example.com",
        "mia@example.com", "otto@example.com"]
    assert inbox.to("bob@example.com")["Subject"] == "Reminder: Practice module is due in 3 days"
    assert "Practice path" in body(inbox.to("anna@example.com"))
    assert "Practice module" not in body(inbox.to("anna@example.com"))  # reminded on the 13th


def test_without_smtp_the_mails_go_to_the_log(app, runner, org, caplog):
    app.config["SMTP_URL"] = None
    with caplog.at_level(logging.WARNING):
        result = send(runner)
    assert result.exit_code == 0, result.output
    assert "logged 5 mails (3 to learners, 2 manager digests)" in result.output
    assert "LMS_SMTP_URL is not set, so the mails were written to the application log." \
        in result.output
    records = [r.getMessage() for r in caplog.records if "Mail not sent" in r.getMessage()]
    assert len(records) == 5
    anna = next(r for r in records if "To: anna@example.com" in r)
    assert "Subject: Overdue training: 1 item past the due date" in anna
    assert "Practice path (learning path): due 1 Mar 2026, 9 days overdue" in anna
    assert logged() == 6


def test_a_dry_run_sends_and_logs_nothing(app, runner, org, inbox):
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{inbox.port}"
    result = send(runner, DAY, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would send to anna@example.com: Overdue training: 1 item past the due date" \
        in result.output
    assert "would send to mia@example.com: Overdue training in your teams" in result.output
    assert ("Dry run for 2026-03-10: 5 mails to send; skipped 0 reminders already sent. "
            "Nothing was sent.") in result.output
    assert inbox.received == [] and logged() == 0
    assert send(runner).exit_code == 0 and len(inbox.received) == 5


def test_a_failing_mail_server_stops_with_a_one_line_reason(app, runner, org, inbox):
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"  # nobody listens there
    result = send(runner)
    assert result.exit_code == 1
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("Error: could not send mail through smtp://127.0.0.1:")
    assert "refused" in last.lower()
    assert logged() == 0  # nothing counts as sent: the next run tries again

    app.config["SMTP_URL"] = f"smtp://someone:wrong@127.0.0.1:{inbox.port}"
    result = send(runner)
    assert result.exit_code == 1 and "Authentication" in result.output.splitlines()[-1]
    assert logged() == 0 and inbox.received == []

    app.config["SMTP_URL"] = "http://mail.example.com"
    result = send(runner)
    assert result.exit_code == 1
    assert "LMS_SMTP_URL must look like smtp://" in result.output


def test_a_password_is_never_sent_without_tls(app, runner, org, mail_ca, trusted_ca):  # noqa: ANN001
    box = Inbox(free_port())
    plain = start_server(box, None, auth_require_tls=False)  # a server without STARTTLS
    try:
        app.config["SMTP_URL"] = f"smtp://trainer:p%40ss%3Aword@127.0.0.1:{box.port}"
        result = send(runner)
        assert result.exit_code == 1
        assert result.output.strip().splitlines()[-1] == (
            f"Error: the mail server at smtp://127.0.0.1:{box.port} does not offer STARTTLS, "
            "so the password was not sent; use smtps://, or add ?starttls=off to LMS_SMTP_URL "
            "if the server is a trusted relay")
        assert box.logins == [] and box.received == [] and logged() == 0

        # Said to be a trusted relay: the login goes in clear, as asked.
        app.config["SMTP_URL"] += "?starttls=off"
        assert send(runner).exit_code == 0
        assert box.logins == [("trainer", "p@ss:word", False)] and len(box.received) == 5
    finally:
        plain.stop()

    # Without a password, a relay without STARTTLS is used as it is.
    box = Inbox(free_port())
    plain = start_server(box, None)
    try:
        app.config["SMTP_URL"] = f"smtp://127.0.0.1:{box.port}"
        assert send(runner, DAY + timedelta(days=1)).exit_code == 0
        assert box.encrypted == [False, False]  # the two managers' digests
    finally:
        plain.stop()


def test_a_certificate_nobody_vouches_for_is_refused(app, runner, org, monkeypatch):  # noqa: ANN001
    box = Inbox(free_port())
    server = start_server(box, trustme.CA(), auth_require_tls=True)  # not the trusted CA
    try:
        app.config["SMTP_URL"] = f"smtp://trainer:p%40ss%3Aword@127.0.0.1:{box.port}"
        result = send(runner)
        assert result.exit_code == 1
        last = result.output.strip().splitlines()[-1]
        assert last.startswith(f"Error: could not send mail through smtp://127.0.0.1:{box.port}:"
                               " its certificate is not trusted")
        assert box.logins == [] and box.received == [] and logged() == 0
    finally:
        server.stop()

    app.config["SMTP_URL"] = "smtp://127.0.0.1:25?tls=no"
    result = send(runner)
    assert result.exit_code == 1
    assert "the only option is ?starttls=off" in result.output


def test_nothing_to_send(app, runner, org, inbox):
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{inbox.port}"
    result = send(runner, date(2026, 1, 1))
    assert result.exit_code == 0
    assert "sent 0 mails (0 to learners, 0 manager digests); skipped 0 reminders" \
        in result.output
    assert inbox.received == []


# The composed texts --------------------------------------------------------------------------

@pytest.mark.parametrize(("days_left", "text"), [
    (-12, "12 days overdue"), (-1, "1 day overdue"), (0, "due today"), (1, "due tomorrow"),
    (3, "due in 3 days"),
])
def test_when_due(days_left, text):  # gettext without an app speaks the source language
    assert when_due(days_left) == text


def test_learner_mail_subjects_and_escaping(app):  # noqa: ARG001 - dates need the app
    soon = DueItem("Pricing <basics>", "module", date(2026, 3, 12), 2)
    mail = learner_mail("Anna Alpha", "anna@example.com", [soon])
    assert mail.subject == "Reminder: Pricing <basics> is due in 2 days"
    assert "Pricing &lt;basics&gt;" in mail.html and "<basics>" not in mail.html
    two = learner_mail("Anna", "a@example.com", [soon, DueItem("Path", "path", DAY, 0)])
    assert two.subject == "Reminder: 2 training items due soon"
    with pytest.raises(ValueError):
        learner_mail("Anna", "a@example.com", [])


def test_digest_counts_people_and_items(app):  # noqa: ARG001 - dates need the app
    lines = [OverdueLine("Anna", "Noord", "Path", date(2026, 3, 1), 9),
             OverdueLine("Anna", "Noord", "Module", date(2026, 3, 8), 2)]
    mail = manager_digest("Mia Manager", "mia@example.com", lines, DAY)
    assert mail.subject == "Overdue training in your teams: 2 items, 1 person"
    assert mail.text.index("Path") < mail.text.index("Module")  # longest overdue first
    assert "Hello Mia," in mail.text and "On 10 March 2026" in mail.text



# Each person's language ------------------------------------------------------------------------

def test_each_person_gets_the_mail_in_their_own_language(app, runner, org, inbox):
    """A mail is in the recipient's language (``user.locale``), else the organisation's
    (LMS_DEFAULT_LOCALE); so are its dates."""
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{inbox.port}"
    app.config["DEFAULT_LOCALE"] = "nl"  # Dirk chose no language: he reads the organisation's
    org["anna"].locale = "nl"
    org["carla"].locale = "en"
    db.session.scalar(select(User).where(User.email == "mia@example.com")).locale = "nl"
    db.session.commit()
    result = send(runner)
    assert result.exit_code == 0, result.output

    carla = inbox.to("carla@example.com")
    assert carla["Subject"] == "Overdue: Practice module"
    assert body(carla).replace("\r\n", "\n") == (
        "Hello Carla,\n\nSome of your training is past its due date.\n\n"
        "- Practice module (module): due 9 Mar 2026, 1 day overdue\n\n"
        "Log in to Verkoopklaar and open My training to continue where you left off. If a "
        "date cannot be met, talk to your manager.\n\nVerkoopklaar sales training\n")
    assert '<html lang="en">' in carla.get_body(preferencelist=("html",)).get_content()

    # The Dutch words come from the compiled Dutch catalogue (translations/nl, built by make
    # from messages.po, which holds this area's translations): without it the subject would
    # still be the English one. The dates are Dutch either way (Babel's locale data).
    anna = inbox.to("anna@example.com")
    assert anna["Subject"] != "Overdue training: 1 item past the due date"
    assert "te laat" in anna["Subject"]
    assert "1 mrt 2026" in body(anna) and "12 mrt 2026" in body(anna)
    assert '<html lang="nl">' in anna.get_body(preferencelist=("html",)).get_content()
    assert "Overdue training in your teams" not in inbox.to("mia@example.com")["Subject"]
    assert "10 maart 2026" in body(inbox.to("mia@example.com"))
    assert "1 feb 2026" in body(inbox.to("dirk@example.com"))


# Follow-ups and complaints ---------------------------------------------------------------------

@pytest.fixture
def sales_org(app, org):  # noqa: ANN001, ANN201
    """On 10 March 2026 (14 follow-up days, complaints long open after 7 days):

    Anna: a deal won on 10 February without a follow-up (its days ended on 24 February), a
    complaint open since 28 February (10 days), one since 6 March (4 days: not yet long)
    Bob: a complaint open since 1 March (his only reason for a mail today)
    Dirk (Zuid): a deal won on 20 February, followed up in time (nothing to say)
    """
    from tests.impact_helpers import add_sale

    add_sale(org["anna"], closed="2026-02-10", customer="Acme BV", crm_id="OPP-1")
    add_sale(org["anna"], closed="2026-01-20", follow_up="2026-01-25", complaint="2026-02-28",
             customer="Zeeman & Zn", crm_id="OPP-2")
    add_sale(org["anna"], closed="2026-02-01", follow_up="2026-02-02", complaint="2026-03-06",
             customer="Recent BV", crm_id="OPP-3")
    add_sale(org["bob"], closed="2026-01-05", follow_up="2026-01-06", complaint="2026-03-01",
             customer="Bobs Klant", crm_id="OPP-4")
    add_sale(org["dirk"], closed="2026-02-20", follow_up="2026-02-22", customer="Zuid BV",
             crm_id="OPP-5")
    db.session.commit()
    app.config.update(FOLLOW_UP_DAYS=14, FOLLOW_UP_LIST_DAYS=30, COMPLAINT_OPEN_DAYS=7)
    return org


def test_mails_mention_overdue_follow_ups_and_long_open_complaints(app, runner, sales_org,
                                                                    inbox):
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{inbox.port}"
    result = send(runner)
    assert result.exit_code == 0, result.output
    assert "sent 6 mails (4 to learners, 2 manager digests)" in result.output

    anna = body(inbox.to("anna@example.com"))
    assert anna.index("Practice path") < anna.index("Customers are waiting for you:")
    assert ("- Follow up Acme BV (deal OPP-1): the follow-up days ended on 24 Feb 2026, "
            "14 days overdue") in anna
    assert "- Complaint of Zeeman & Zn (deal OPP-2): open since 28 Feb 2026, 10 days" in anna
    assert "Recent BV" not in anna  # open 4 days: not long yet
    assert "Open My follow-ups in Verkoopklaar to record what you did." in anna
    html = inbox.to("anna@example.com").get_body(preferencelist=("html",)).get_content()
    assert "<strong>Zeeman &amp; Zn</strong>" in html

    bob = inbox.to("bob@example.com")
    assert bob["Subject"] == "Follow-ups and complaints: 1 customer waiting"
    assert "Complaint of Bobs Klant (deal OPP-4): open since 1 Mar 2026, 9 days" in body(bob)

    digest = body(inbox.to("mia@example.com"))
    assert "complaints open longer than 7 days" in digest
    assert ("- Anna Alpha (Team Noord): 1 follow-up overdue, 1 complaint open long"
            in digest)
    assert "- Bob Bravo (Team Noord): 0 follow-ups overdue, 1 complaint open long" in digest
    otto = body(inbox.to("otto@example.com"))
    assert "Anna" not in otto and "Bob" not in otto and "Customers waiting" not in otto


def test_follow_ups_are_mentioned_at_most_once_a_week(app, runner, sales_org, inbox):
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{inbox.port}"
    send(runner)
    again = send(runner)
    assert "sent 0 mails" in again.output and "skipped 8 reminders" in again.output
    inbox.received.clear()
    # The next day: no learner mail at all (the training reminders and the follow-ups both
    # wait a week); Mia's daily digest still counts her people's follow-ups.
    send(runner, DAY + timedelta(days=1))
    assert sorted(rcpt[0] for rcpt, _ in inbox.received) == ["mia@example.com",
                                                             "otto@example.com"]
    assert "Bob Bravo (Team Noord): 0 follow-ups overdue" in body(inbox.to("mia@example.com"))
    inbox.received.clear()
    # A week later they come again, for what is still open.
    send(runner, DAY + timedelta(days=7))
    assert "Customers are waiting for you:" in body(inbox.to("bob@example.com"))
    assert "Complaint of Zeeman & Zn" in body(inbox.to("anna@example.com"))


def test_a_follow_up_recorded_leaves_the_mail(app, runner, sales_org, inbox):
    from lms.models import ActionKind, Sale
    from lms.sales.actions import record_action

    acme = db.session.scalar(select(Sale).where(Sale.crm_id == "OPP-1"))
    record_action(acme, ActionKind.FOLLOW_UP, date(2026, 2, 20), "", actor=sales_org["anna"],
                  today=DAY)
    db.session.commit()
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{inbox.port}"
    send(runner)
    assert "Acme BV" not in body(inbox.to("anna@example.com"))
    assert "Anna Alpha (Team Noord): 0 follow-ups overdue, 1 complaint open long" \
        in body(inbox.to("mia@example.com"))


def test_the_follow_ups_part_is_in_the_readers_language(app, runner, sales_org, inbox):
    """Dutch dates always (Babel's locale data); the Dutch words once the catalogue holds this
    area's strings (the lead merges /tmp/i18n14 into translations/)."""
    from flask_babel import gettext

    from lms.i18n import speaking

    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{inbox.port}"
    sales_org["bob"].locale = "nl"
    db.session.commit()
    send(runner)
    text = body(inbox.to("bob@example.com"))
    assert "1 mrt 2026" in text and "OPP-4" in text
    with speaking("nl"):
        dutch = gettext("Customers are waiting for you:")
    if dutch == "Customers are waiting for you:":
        pytest.skip("the Dutch catalogue does not hold the follow-up strings yet")
    assert dutch in text and "Customers are waiting" not in text


def test_sales_only_mails_and_digests(app):  # noqa: ARG001 - dates need the app
    from lms.reminders.compose import SalesCount, SalesLine

    line = SalesLine("complaint", "Acme <b>", "OPP-9", date(2026, 3, 1), 9)
    mail = learner_mail("Anna Alpha", "anna@example.com", [], [line])
    assert mail.subject == "Follow-ups and complaints: 1 customer waiting"
    assert "Acme &lt;b&gt;" in mail.html and "Acme <b>" not in mail.html
    digest = manager_digest("Mia", "mia@example.com", [], DAY,
                            [SalesCount("Anna", "Noord", 2, 0)], 7)
    assert digest.subject == "Follow-ups and complaints in your teams: 1 person"
    assert "- Anna (Noord): 2 follow-ups overdue, 0 complaints open long" in digest.text
    with pytest.raises(ValueError):
        manager_digest("Mia", "mia@example.com", [], DAY)
