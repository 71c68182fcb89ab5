"""Team chat deliveries through the service (lms/chat/deliver.py), with a sleep that only
records and, where it matters, a clock and a sender of the test's own: back-off, Retry-After,
giving up, an unreadable or no longer allowed address, a post outliving its claim, and two
runs at once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from lms.extensions import db
from lms.models import ChatDelivery, Role, utcnow
from tests.chat_standin import StandInChat, card_text
from tests.conftest import login
from tests.factories import make_user
from tests.web.test_chat import DAY, TEAMS, add_hook, chat, later, org, post  # noqa: F401


def test_a_long_retry_after_is_left_to_a_later_run(app, org):  # noqa: F811
    with StandInChat(retry_after="120") as chat:  # noqa: F811
        add_hook(app, org["noord"], chat.url("/teams/noord"))
        chat.fail_next(429)
        before = utcnow()
        outcome, waits = post()
    assert waits == [] and len(chat.requests) == 1 and outcome.waiting == 1
    row = db.session.scalar(select(ChatDelivery))
    assert row.next_try_at >= before + timedelta(seconds=120)
    assert row.last_error == "429: rate_limited" and row.claimed_until is None


def test_in_run_back_off_then_the_next_run_and_a_newer_digest_replaces_a_waiting_one(
        app, org, chat):  # noqa: F811
    add_hook(app, org["noord"], chat.url("/teams/noord"))
    chat.fail_next(500, 500, 500)
    outcome, waits = post()
    assert waits == [1.0, 2.0] and outcome.delivered == 0 and outcome.waiting == 1
    # The next day's digest replaces the one still waiting: one message, the current one.
    outcome, waits = post(DAY + timedelta(days=1))
    assert outcome.delivered == 1 and outcome.waiting == 0 and waits == []
    assert len(chat.posted) == 1 and "11 March" in card_text(chat.posted[0][1])
    old = db.session.scalar(select(ChatDelivery).where(ChatDelivery.period == DAY))
    assert old.failed_at is not None and old.delivered_at is None
    assert old.last_error == "Replaced by a newer message before it could be delivered."


def test_a_message_is_given_up_after_too_many_attempts(app, org, chat):  # noqa: F811
    from lms.chat.deliver import MAX_ATTEMPTS

    add_hook(app, org["noord"], chat.url("/teams/noord"))
    chat.fail_next(500, 500, 500)
    post()
    db.session.execute(update(ChatDelivery).values(attempts=MAX_ATTEMPTS - 1))
    later()
    chat.fail_next(500)
    outcome, _waits = post()
    assert outcome.waiting == 0 and outcome.errors == [("Team Noord", "#sales",
                                                        "500: rollup_error")]
    assert db.session.scalar(select(ChatDelivery.failed_at)) is not None
    later()
    assert post()[0].delivered == 0 and len(chat.requests) == 4


def test_an_address_sealed_under_another_secret_key_is_reported(app, org, chat, client):  # noqa: F811
    add_hook(app, org["noord"], chat.url("/teams/noord"))
    app.config["SECRET_KEY"] = "a-new-secret-key"
    outcome, _waits = post()
    assert chat.requests == [] and "enter it again" in outcome.errors[0][2]
    make_user(Role.ADMIN, email="admin@example.com")
    login(client, "admin@example.com")
    assert "LMS_SECRET_KEY changed?" in client.get("/admin/chat/").get_data(as_text=True)


def test_a_post_that_outlives_its_claim_leaves_the_message_to_the_run_that_took_it(app, org):  # noqa: F811
    """The service takes 11 minutes to answer 500; meanwhile another run found the claim
    expired and took the message. This run neither posts it again nor overwrites the row."""
    from flask import current_app

    from lms.chat.deliver import CLAIM_FOR, post_to_chat
    from lms.chat.webhook import Answer
    from lms.sales.worklist import rules_from

    add_hook(app, org["noord"], TEAMS)
    now = [utcnow()]
    posts: list[str] = []
    theirs = now[0] + timedelta(minutes=11) + CLAIM_FOR

    def slow_send(url: str, payload: dict) -> Answer:
        posts.append(url)
        now[0] += timedelta(minutes=11)
        db.session.execute(update(ChatDelivery).values(claimed_until=theirs))
        db.session.commit()
        return Answer(500, "slow")

    outcome = post_to_chat(DAY, rules_from(current_app.config, DAY), send=slow_send,
                           clock=lambda: now[0], sleep=lambda _s: None)
    assert posts == [TEAMS]  # not posted a second time by this run
    row = db.session.scalar(select(ChatDelivery))
    assert row.claimed_until == theirs and row.attempts == 0 and row.last_error is None
    assert "another run may have posted it" in outcome.errors[0][2]


def test_a_huge_retry_after_waits_at_most_until_the_message_is_given_up(app, org):  # noqa: F811
    with StandInChat(retry_after="99999999999999999999") as chat:  # noqa: F811
        add_hook(app, org["noord"], chat.url("/teams/noord"))
        chat.fail_next(429)
        outcome, waits = post()
    assert waits == [] and outcome.waiting == 1
    row = db.session.scalar(select(ChatDelivery))
    assert row.next_try_at <= utcnow() + timedelta(days=3)


def test_an_address_no_longer_allowed_is_not_posted_to(app, org, chat):  # noqa: F811
    """Checked again before each post: an address saved while the settings allowed it (a local
    relay, an extra host) is given up once they no longer do."""
    add_hook(app, org["noord"], chat.url("/teams/noord"))
    app.config["CHAT_ALLOW_LOCAL_HTTP"] = False
    outcome, _waits = post()
    assert chat.requests == [] and outcome.delivered == 0 and outcome.waiting == 0
    assert "Only https:// addresses are accepted" in outcome.errors[0][2]
    assert db.session.scalar(select(ChatDelivery.failed_at)) is not None


def test_a_second_run_while_the_first_is_posting_posts_nothing(app, org, chat):  # noqa: F811
    """Two runs at once (two servers, the lease bypassed): while the first run's post is on its
    way, a whole second run goes by in its own session. One post, the second run skips it."""
    import threading

    from flask import current_app

    from lms.chat.deliver import post_to_chat
    from lms.chat.webhook import post as real_post
    from lms.sales.worklist import rules_from

    add_hook(app, org["noord"], chat.url("/teams/noord"), summary=True)
    second = {}

    def second_run() -> None:
        with app.app_context():
            try:
                second["outcome"] = post_to_chat(DAY, rules_from(current_app.config, DAY),
                                                 sleep=lambda _s: None)
            finally:
                db.session.remove()

    def send_during_another_run(url: str, payload: dict):  # noqa: ANN202
        if "outcome" not in second:
            thread = threading.Thread(target=second_run)
            thread.start()
            thread.join(60)
        return real_post(url, payload)

    first = post_to_chat(DAY, rules_from(current_app.config, DAY), send=send_during_another_run,
                         sleep=lambda _s: None)
    # The second run found both messages claimed; it took the summary the first run had not
    # reached yet, and left the digest on its way alone.
    assert second["outcome"].skipped == 2 and second["outcome"].errors == []
    assert first.delivered + second["outcome"].delivered == 2 and first.errors == []
    titles = [card_text(body).splitlines()[0] for body in chat.to("/teams/noord")]
    assert sorted(titles) == ["Team Noord: overdue training and customers waiting",
                              "Team Noord: training due this week"]


def test_a_redirect_is_not_followed(app, org, chat):  # noqa: F811
    """A webhook answering 302 (to another path, or another host) is given up: the address to
    post to is the one the admin checked and saved, nothing the answer names."""
    add_hook(app, org["noord"], chat.url("/moved"))
    outcome, _waits = post()
    assert chat.requests == [("/moved", 302)] and chat.posted == []
    assert outcome.errors[0][2].startswith("302")
    assert db.session.scalar(select(ChatDelivery.failed_at)) is not None


def test_a_waiting_message_of_a_team_closed_since_is_not_posted(app, org, chat):  # noqa: F811
    add_hook(app, org["noord"], chat.url("/teams/noord"))
    chat.fail_next(500, 500, 500)
    post()
    org["noord"].active = False
    db.session.commit()
    later()
    outcome, _waits = post()
    assert chat.posted == [] and len(chat.requests) == 3 and outcome.delivered == 0
