"""Team chat: ``lms reminders send`` posts each team's digest and weekly summary to a stand-in
Microsoft Teams Workflows webhook and a stand-in Slack webhook (tests/chat_standin.py), once
only, retried after failures, never holding up the mails; and the admin's Team chat page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from lms.chat.secret import decrypt
from lms.extensions import db
from lms.learning.assignments import assign
from lms.learning.catalog import live_item
from lms.models import ChatDelivery, ContentKind, ReminderLog, Role, TeamWebhook, utcnow
from tests.chat_standin import StandInChat, card_text
from tests.conftest import csrf_from, login
from tests.factories import make_team, make_user
from tests.impact_helpers import add_sale, statements
from tests.learning_helpers import sync, write_practice

DAY = date(2026, 3, 10)  # a Tuesday


@pytest.fixture
def chat() -> Iterator[StandInChat]:
    with StandInChat() as server:
        yield server


@pytest.fixture
def org(app, content_copy):  # noqa: ANN001, ANN201
    """On 10 March 2026: Team Noord (Mia manages it): Anna has a path overdue since 1 March,
    a module due on 12 March and a follow-up overdue; Bob a module due on 14 March. Team Zuid:
    Dirk, a path overdue since 1 February."""
    write_practice(content_copy)
    sync(content_copy)
    module = live_item(ContentKind.MODULE, "practice-module")
    path = live_item(ContentKind.PATH, "practice-path")
    mia = make_user(Role.MANAGER, email="mia@example.com", name="Mia Manager")
    noord = make_team("Team Noord", managers=[mia])
    zuid = make_team("Team Zuid")
    anna = make_user(email="anna@example.com", name="Anna Alpha", team=noord)
    bob = make_user(email="bob@example.com", name="Bob Bravo", team=noord)
    dirk = make_user(email="dirk@example.com", name="Dirk Delta", team=zuid)
    assign(anna, path, due_date=date(2026, 3, 1))
    assign(anna, module, due_date=date(2026, 3, 12))
    assign(bob, module, due_date=date(2026, 3, 14))
    assign(dirk, path, due_date=date(2026, 2, 1))
    add_sale(anna, closed="2026-02-08", customer="Brouwerij Noord")
    db.session.commit()
    app.config["CHAT_ALLOW_LOCAL_HTTP"] = True
    return {"noord": noord, "zuid": zuid, "mia": mia}


def add_hook(app, team, url: str, kind: str = "teams", *, digest: bool = True,  # noqa: ANN001
             summary: bool = False) -> TeamWebhook:
    from lms.chat.settings import WebhookFields, save_webhook

    hook = save_webhook(None, WebhookFields(team, kind, "#sales", url, digest, summary))
    db.session.commit()
    return hook


def send(runner, day: date = DAY):  # noqa: ANN001, ANN201
    return runner.invoke(args=["reminders", "send", "--today", day.isoformat()])


def mails_logged() -> int:
    return db.session.scalar(select(func.count()).select_from(ReminderLog))


def later() -> None:
    """Time passes: the back-off of every message waiting for a retry is over."""
    db.session.execute(update(ChatDelivery).values(next_try_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()


def test_the_digest_and_summary_reach_teams_once(app, runner, org, chat):
    add_hook(app, org["noord"], chat.url("/teams/noord"), summary=True)
    add_hook(app, org["zuid"], chat.url("/teams/zuid"))
    result = send(runner)
    assert result.exit_code == 0, result.output
    assert "Team chat: 3 messages posted, 0 posted before, 0 waiting for a retry." \
        in result.output
    noord = chat.to("/teams/noord")
    assert len(noord) == 2  # the stand-in took both cards: they have the Adaptive Card shape
    digest, summary = (card_text(body) for body in noord)
    assert "Team Noord: overdue training and customers waiting" in digest
    assert "Anna Alpha: Practice path, due 1 Mar 2026, 9 days overdue" in digest
    assert "Anna Alpha: 1 follow-up overdue, 0 complaints open long" in digest
    # Only what is overdue, only this team.
    for absent in ("Bob", "Dirk", "Practice module"):
        assert absent not in digest
    assert noord[0]["attachments"][0]["content"]["actions"][0]["url"].endswith(
        f"/manage/assignments/?team={org['noord'].id}")
    # The summary names the people with training due this week, and says nothing more.
    assert "2 people have training due in the next 7 days: Anna Alpha, Bob Bravo." in summary
    for absent in ("Practice", "overdue", "Mar", "Dirk"):
        assert absent not in summary
    assert "Dirk Delta: Practice path, due 1 Feb 2026, 37 days overdue" \
        in card_text(chat.to("/teams/zuid")[0])
    assert mails_logged() == 5  # the mails went as always (to the log: no SMTP)

    again = send(runner)
    assert again.exit_code == 0, again.output
    assert "Team chat: 0 messages posted, 3 posted before, 0 waiting for a retry." \
        in again.output
    assert len(chat.posted) == 3
    # The next day: a new digest; the week's summary went already.
    assert send(runner, DAY + timedelta(days=1)).exit_code == 0
    assert [card_text(b).splitlines()[0] for b in chat.to("/teams/noord")] == [
        "Team Noord: overdue training and customers waiting",
        "Team Noord: training due this week",
        "Team Noord: overdue training and customers waiting"]


def test_slack_gets_the_same_once(app, runner, org, chat):
    add_hook(app, org["noord"], chat.url("/slack/noord"), "slack", summary=True)
    assert send(runner).exit_code == 0
    assert send(runner).exit_code == 0
    digest, summary = chat.to("/slack/noord")
    assert digest["text"].startswith("Team Noord: overdue training and customers waiting")
    sections = "\n".join(b["text"]["text"] for b in digest["blocks"] if b["type"] == "section")
    assert "• *Anna Alpha*: Practice path, due 1 Mar 2026, 9 days overdue" in sections
    assert digest["blocks"][0] == {"type": "header", "text": {
        "type": "plain_text", "text": "Team Noord: overdue training and customers waiting"}}
    assert "Anna Alpha, Bob Bravo" in summary["text"]


def test_failures_are_retried_in_the_run_and_by_the_next_runs(app, runner, org, chat):
    add_hook(app, org["noord"], chat.url("/teams/noord"))
    chat.fail_next("drop", 429)
    result = send(runner)
    assert result.exit_code == 0, result.output
    assert len(chat.to("/teams/noord")) == 1  # the third post of the run went through
    row = db.session.scalar(select(ChatDelivery))
    assert row.attempts == 3 and row.delivered_at is not None and row.last_error is None

    # The next day the service fails every post of the run: the message waits, the mails go.
    chat.fail_next(500, 429, 429)
    result = send(runner, DAY + timedelta(days=1))
    assert result.exit_code == 0, result.output
    assert mails_logged() > 0
    assert "1 waiting for a retry" in result.output
    assert "Team chat: posting to Team Noord (#sales) failed: 429: rate_limited" \
        in result.stderr
    assert len(chat.to("/teams/noord")) == 1
    # Another run before the back-off is over leaves it alone ...
    assert send(runner, DAY + timedelta(days=1)).exit_code == 0
    assert len(chat.to("/teams/noord")) == 1
    # ... a run after it posts it, once.
    later()
    assert send(runner, DAY + timedelta(days=1)).exit_code == 0
    later()
    assert send(runner, DAY + timedelta(days=1)).exit_code == 0
    assert len(chat.to("/teams/noord")) == 2
    assert "10 March" not in card_text(chat.to("/teams/noord")[1])
    assert "11 March" in card_text(chat.to("/teams/noord")[1])


def test_a_message_claimed_by_another_server_is_not_posted(app, runner, org, chat):
    hook = add_hook(app, org["noord"], chat.url("/teams/noord"))
    # Another server inserted today's digest and is posting it right now.
    db.session.add(ChatDelivery(webhook_id=hook.id, kind="digest", period=DAY,
                                payload={"type": "message"}, attempts=1,
                                claimed_until=utcnow() + timedelta(minutes=5)))
    db.session.commit()
    result = send(runner)
    assert result.exit_code == 0, result.output
    assert "0 messages posted, 1 posted before" in result.output
    assert chat.requests == []


def test_a_removed_webhook_is_given_up_and_shown_on_the_page(app, runner, org, chat,
                                                             client):
    add_hook(app, org["noord"], chat.url("/slack/gone"), "slack")
    result = send(runner)
    assert result.exit_code == 0, result.output
    assert mails_logged() == 5
    assert "posting to Team Noord (#sales) failed: 404: no_service" in result.stderr
    assert chat.requests == [("/slack/gone", 404)]  # refused for good: not tried again
    assert send(runner).exit_code == 0 and len(chat.requests) == 1

    make_user(Role.ADMIN, email="admin@example.com")
    login(client, "admin@example.com")
    page = client.get("/admin/chat/").get_data(as_text=True)
    assert "Given up" in page and "404: no_service" in page and "1 attempt" in page
    assert "Never" in page  # never delivered


def test_a_failing_mail_server_does_not_stop_the_chat(app, runner, org, chat):
    from tests.web.test_reminders import free_port

    add_hook(app, org["noord"], chat.url("/teams/noord"))
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"
    result = send(runner)
    assert result.exit_code == 1  # the mails failed, and the command says so ...
    assert result.output.strip().splitlines()[-1].startswith("Error: could not send mail")
    assert len(chat.to("/teams/noord")) == 1  # ... but the team's channel got its digest


def test_a_dry_run_posts_nothing(app, runner, org, chat):
    add_hook(app, org["noord"], chat.url("/teams/noord"), summary=True)
    result = runner.invoke(args=["reminders", "send", "--today", DAY.isoformat(), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert ("would post to Team Noord (Microsoft Teams, #sales): Team Noord: training due "
            "this week") in result.output
    assert chat.requests == [] and db.session.scalar(select(func.count(ChatDelivery.id))) == 0


# The Team chat page ---------------------------------------------------------------------------

SLACK = "https://hooks.slack.com/services/T0001/B0002/s3cretT0kenXYZ9"
TEAMS = ("https://prod-01.westeurope.logic.azure.com:443/workflows/ab12/triggers/manual/paths/"
         "invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=Zx9q")


@pytest.fixture
def admin(client, org):  # noqa: ANN001, ANN201
    make_user(Role.ADMIN, email="admin@example.com")
    login(client, "admin@example.com")
    return client


def form(client, page: str, **data):  # noqa: ANN001, ANN003, ANN201
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(page, data={"csrf_token": token, **data})


def test_an_admin_adds_a_webhook_and_never_sees_the_address_again(app, admin, org):
    response = form(admin, "/admin/chat/new", team_id=org["noord"].id, kind="slack",
                    channel="#sales-noord", url=SLACK, digest="y", summary="y")
    assert response.status_code == 302
    hook = db.session.scalar(select(TeamWebhook))
    assert decrypt(hook.url_encrypted) == SLACK
    assert "s3cret" not in hook.url_encrypted  # stored encrypted
    for url in ("/admin/chat/", f"/admin/chat/{hook.id}"):
        page = admin.get(url).get_data(as_text=True)
        assert "s3cretT0ken" not in page and "T0001" not in page
        assert "https://hooks.slack.com/…XYZ9" in page

    # Saving without an address keeps it; a new one replaces it.
    assert form(admin, f"/admin/chat/{hook.id}", team_id=org["noord"].id, kind="slack",
                channel="#leads", digest="y").status_code == 302
    db.session.refresh(hook)
    assert decrypt(hook.url_encrypted) == SLACK and hook.channel == "#leads"
    assert not hook.summary
    other = "https://hooks.slack.com/services/T0001/B0003/an0therOne"
    assert form(admin, f"/admin/chat/{hook.id}", team_id=org["noord"].id, kind="slack",
                url=other, digest="y").status_code == 302
    db.session.refresh(hook)
    assert decrypt(hook.url_encrypted) == other

    token = csrf_from(admin.get(f"/admin/chat/{hook.id}").get_data(as_text=True))
    assert admin.post(f"/admin/chat/{hook.id}/remove",
                      data={"csrf_token": token}).status_code == 302
    assert db.session.scalar(select(func.count(TeamWebhook.id))) == 0


NOT_TEAMS = "not a Microsoft Teams Workflows webhook"
NOT_SLACK = "not a Slack webhook"


@pytest.mark.parametrize(("url", "error", "kind"), [
    ("", "Paste the webhook&#39;s address.", "teams"),
    ("http://hooks.slack.com/services/x", "Only https:// addresses are accepted", "slack"),
    ("http://127.0.0.1:8080/hook", "Only https:// addresses are accepted", "teams"),
    ("ftp://hooks.slack.com/x", "A webhook address starts with https://", "slack"),
    ("https://user:pw@hooks.slack.com/x", "no user name or password", "slack"),
    ("https://10.0.0.5/hook", "not an IP address", "teams"),
    ("https://hooks.slack.com/a b", "too long or has spaces", "slack"),
    ("https://[::1/x", "That is not a web address.", "teams"),
    # Host names that reach the organisation's own network or the cloud's metadata service.
    ("https://localhost/hook", NOT_TEAMS, "teams"),
    ("https://0x7f000001/hook", NOT_TEAMS, "teams"),  # 127.0.0.1 written as one number
    ("https://2130706433/hook", NOT_SLACK, "slack"),
    ("https://metadata.google.internal/computeMetadata/v1/", NOT_TEAMS, "teams"),
    ("https://intranet.example.com/hooks.slack.com/services/x", NOT_SLACK, "slack"),
    ("https://logic.azure.com.evil.example/workflows/x", NOT_TEAMS, "teams"),
    ("https://evillogic.azure.com/workflows/x", NOT_TEAMS, "teams"),
    ("https://prod-01.westeurope.logic.azure.com:8443/workflows/x", NOT_TEAMS, "teams"),
    # Each service's address with the other service chosen.
    (SLACK, NOT_TEAMS, "teams"),
    (TEAMS, NOT_SLACK, "slack"),
])
def test_a_wrong_address_is_explained_in_the_form(app, admin, org, url, error, kind):
    app.config["CHAT_ALLOW_LOCAL_HTTP"] = False
    response = form(admin, "/admin/chat/new", team_id=org["noord"].id, kind=kind, url=url,
                    digest="y")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert error in page and "Please correct this" in page
    if url:
        assert url not in page  # not even the rejected address is sent back
    assert db.session.scalar(select(func.count(TeamWebhook.id))) == 0


@pytest.mark.parametrize(("kind", "url"), [
    ("teams", TEAMS),
    ("teams", "https://default1a2b.3c.environment.api.powerplatform.com:443/powerautomate/"
              "automations/direct/workflows/ab12/triggers/manual/paths/invoke?sig=Zx9q"),
    ("slack", SLACK),
    ("slack", "https://HOOKS.SLACK.COM./services/T0001/B0002/abc"),
])
def test_the_services_own_addresses_are_accepted(app, admin, org, kind, url):
    assert form(admin, "/admin/chat/new", team_id=org["noord"].id, kind=kind, url=url,
                digest="y").status_code == 302


def test_more_hosts_only_when_the_setting_names_them(app, admin, org):
    relay = "https://chat-relay.example.org/hook/1"
    page = form(admin, "/admin/chat/new", team_id=org["noord"].id, kind="teams", url=relay,
                digest="y").get_data(as_text=True)
    assert NOT_TEAMS in page
    app.config["CHAT_EXTRA_HOSTS"] = ("chat-relay.example.org",)
    assert form(admin, "/admin/chat/new", team_id=org["noord"].id, kind="teams", url=relay,
                digest="y").status_code == 302


def test_changing_the_service_needs_the_new_services_address(app, admin, org):
    hook = add_hook(app, org["noord"], SLACK, "slack")
    page = form(admin, f"/admin/chat/{hook.id}", team_id=org["noord"].id, kind="teams",
                digest="y").get_data(as_text=True)
    assert "Paste the new service&#39;s webhook address too." in page
    db.session.refresh(hook)
    assert hook.kind == "slack"
    assert form(admin, f"/admin/chat/{hook.id}", team_id=org["noord"].id, kind="teams",
                url=TEAMS, digest="y").status_code == 302
    db.session.refresh(hook)
    assert hook.kind == "teams" and decrypt(hook.url_encrypted) == TEAMS


def test_local_http_only_when_the_setting_allows_it(app, admin, org):
    app.config["CHAT_ALLOW_LOCAL_HTTP"] = True
    assert form(admin, "/admin/chat/new", team_id=org["noord"].id, kind="teams",
                url="http://127.0.0.1:8080/hook", digest="y").status_code == 302
    page = form(admin, "/admin/chat/new", team_id=org["noord"].id, kind="teams",
                url="http://localhost:8080/hook", digest="y").get_data(as_text=True)
    assert "Only https:// addresses are accepted" in page


def test_a_channel_must_get_something(app, admin, org):
    page = form(admin, "/admin/chat/new", team_id=org["noord"].id, kind="teams",
                url=SLACK).get_data(as_text=True)
    assert "Tick at least one message for this channel." in page


def test_only_admins_and_only_with_a_csrf_token(app, client, org):
    hook = add_hook(app, org["noord"], TEAMS)
    for role in (Role.LEARNER, Role.MANAGER):
        person = make_user(role, email=f"{role}@example.com")
        who = app.test_client()
        login(who, person.email)
        for url in ("/admin/chat/", "/admin/chat/new", f"/admin/chat/{hook.id}"):
            assert who.get(url).status_code == 403, (role, url)
        assert who.post(f"/admin/chat/{hook.id}/remove").status_code in (400, 403)
    make_user(Role.ADMIN, email="admin@example.com")
    login(client, "admin@example.com")
    assert client.post("/admin/chat/new", data={"team_id": org["noord"].id, "kind": "teams",
                                                "url": SLACK, "digest": "y"}).status_code == 400
    assert client.post(f"/admin/chat/{hook.id}/remove").status_code == 400
    assert db.session.scalar(select(func.count(TeamWebhook.id))) == 1


def test_the_page_does_not_grow_with_the_webhooks(app, runner, admin, org, chat):
    def count() -> int:
        with statements() as seen:
            assert admin.get("/admin/chat/").status_code == 200
        return len(seen)

    add_hook(app, org["noord"], chat.url("/teams/a"))
    assert send(runner).exit_code == 0
    one = count()
    for name in ("b", "c", "gone", "archived"):
        add_hook(app, org["zuid"], chat.url(f"/slack/{name}"), "slack")
    assert send(runner, DAY + timedelta(days=1)).exit_code == 0
    page = admin.get("/admin/chat/").get_data(as_text=True)
    assert "410: channel_is_archived" in page and page.count("Delivered") == 3
    assert count() == one


# The page's view of a message waiting for a retry ----------------------------------------

def post(day: date = DAY):  # noqa: ANN201
    from flask import current_app

    from lms.chat.deliver import post_to_chat
    from lms.sales.worklist import rules_from

    waits: list[float] = []
    outcome = post_to_chat(day, rules_from(current_app.config, day), sleep=waits.append)
    return outcome, waits


def test_the_page_says_when_a_waiting_message_is_tried_again(app, org, chat, admin):
    add_hook(app, org["noord"], chat.url("/teams/noord"))
    chat.fail_next(500, 500, 500)
    post()
    row = db.session.scalar(select(ChatDelivery))
    row.next_try_at = row.next_try_at.replace(year=2030, month=1, day=2, hour=9, minute=30)
    db.session.commit()
    page = admin.get("/admin/chat/").get_data(as_text=True)
    assert "Waiting for a retry" in page and "500: rollup_error" in page
    assert "(not before 2 Jan 2030" in page


def test_a_new_webhook_gets_nothing_until_the_admin_ticks_it(app, admin, org):
    page = admin.get("/admin/chat/new").get_data(as_text=True)
    assert 'name="team_id"' in page and "checked" not in page


@pytest.mark.parametrize(("change", "sent_to"), [
    ({"url": "/teams/elsewhere"}, None),  # another channel: maybe another audience
    ({"team": "zuid"}, None),  # another team's channel now
    ({"digest": "", "summary": "y"}, None),  # the channel is for the summary now
    ({"url": "/teams/noord"}, "/teams/noord"),  # the same address pasted again: sent
    ({"channel": "#leads"}, "/teams/noord"),  # only its name: sent
])
def test_a_waiting_digest_goes_only_where_it_was_meant_to(app, org, chat, admin, change,
                                                         sent_to):
    hook = add_hook(app, org["noord"], chat.url("/teams/noord"), summary=True)
    chat.fail_next(*[500] * 6)
    post()  # the digest and the summary wait for a retry
    data = {"team_id": org[change.get("team", "noord")].id, "kind": "teams",
            "channel": change.get("channel", "#sales"), "digest": change.get("digest", "y"),
            "summary": "y"}
    if "url" in change:
        data["url"] = chat.url(change["url"])
    assert form(admin, f"/admin/chat/{hook.id}", **{k: v for k, v in data.items() if v}) \
        .status_code == 302
    later()
    post()
    sent = [path for path, _body in chat.posted]
    digests = [row for row in db.session.scalars(select(ChatDelivery)) if row.kind == "digest"]
    if sent_to is None:
        assert all("overdue training" not in card_text(body) for _path, body in chat.posted)
        assert digests[0].last_error == ("The webhook was changed before this message was "
                                         "delivered, so it was not sent.")
    else:
        assert sent == [sent_to, sent_to] and digests[0].delivered_at is not None


def test_a_crash_in_team_chat_does_not_hide_that_the_mails_failed(app, runner, org, chat,
                                                                  monkeypatch):
    from tests.web.test_reminders import free_port

    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202, ARG001
        raise RuntimeError("a bug in team chat")

    monkeypatch.setattr("lms.reminders.commands.post_to_chat", broken)
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"
    result = send(runner)
    assert result.exit_code == 1 and isinstance(result.exception, RuntimeError)
    assert "Error: could not send mail" in result.stderr
