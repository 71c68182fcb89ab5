"""Boosters by mail: the learner's choice on the account page, and ``lms reminders send``
mailing each learner who chose it once a day when boosters wait, in their language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.boosters.cards import todays_boosters
from lms.boosters.mail import choose_mail
from lms.clock import local_today
from lms.extensions import db
from lms.models import BoosterCard, BoosterMail, ReminderLog, User, utcnow
from lms.reminders import send as sending
from lms.reminders.send import BOOSTERS, plan_reminders
from tests.conftest import csrf_from, login, page_token
from tests.factories import make_user
from tests.learning_helpers import sync
from tests.web.test_boosters import answer, make_due, passed  # noqa: F401
from tests.web.test_content_translations import write_dutch
from tests.web.test_reminders import SENDER, body, inbox, mail_ca, trusted_ca  # noqa: F401

BASE = "https://train.example.com/verkoop"
UNTICKED = '<input aria-describedby="mail-help" id="mail" name="mail" type="checkbox" value="y">'
TICKED = UNTICKED.replace(' id="mail"', ' checked id="mail"')


def nina() -> User:
    return db.session.scalar(select(User).where(User.email == "new@example.com"))


def send(runner, *extra: str):  # noqa: ANN001, ANN201
    return runner.invoke(args=["reminders", "send", "--today", local_today().isoformat(),
                               *extra])


def booster_logs() -> int:
    return db.session.scalar(select(func.count()).select_from(ReminderLog).where(
        ReminderLog.kind == BOOSTERS))


@pytest.fixture
def opted(app, passed, inbox):  # noqa: ANN001, ANN201, F811
    """Nina passed the practice quiz, asked for her boosters by mail, and all five are due;
    the mails go to the test SMTP server, links start at ``BASE``."""
    choose_mail(nina(), True)
    db.session.commit()
    make_due()
    app.config.update(MAIL_FROM=SENDER, BASE_URL=BASE,
                      SMTP_URL=f"smtp://127.0.0.1:{inbox.port}")
    return inbox


def test_an_opted_in_learner_gets_one_mail_with_the_count_the_question_and_the_link(
        runner, opted):  # noqa: ANN001
    result = send(runner)
    assert result.exit_code == 0, result.output
    assert "sent 1 mail (1 to learners, 0 manager digests)" in result.output
    mail = opted.to("new@example.com")
    # Three a day at most (the module's setting), though five are due.
    assert mail["Subject"] == "3 boosters wait for you"
    text = body(mail)
    assert "Hello Nina," in text and "3 questions wait for you today" in text
    first = db.session.scalar(select(BoosterCard).order_by(BoosterCard.due_at, BoosterCard.id))
    prompts = {"cups": "How many cups a day does the Office B60 make?",
               "family": "Which family is the B60 in?",
               "telemetry": "BrewLink is standard on the B60.", "name": "Name the company.",
               "pairs": "Match the models."}
    assert f"  {prompts[first.question_id]}\n" in text.replace("\r\n", "\n")
    # The question, never its answers or options.
    for answer_text in ("Compact", "Brewline", "60 cups"):
        assert answer_text not in text
    assert f"{BASE}/learn/#boosters" in text and f"{BASE}/account" in text
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert f'href="{BASE}/learn/#boosters"' in html
    assert booster_logs() == 1


def test_a_second_run_the_same_day_sends_nothing(runner, opted):  # noqa: ANN001
    assert send(runner).exit_code == 0
    again = send(runner)
    assert again.exit_code == 0, again.output
    assert "sent 0 mails" in again.output and "skipped 1 reminder already sent" in again.output
    assert len(opted.received) == 1 and booster_logs() == 1


def test_two_runs_at_once_send_it_once(app, runner, opted, monkeypatch):  # noqa: ANN001
    """Both planned it; the other server logged it first: the unique index stops this one."""
    today = local_today()
    planned = plan_reminders(today, days_before=3)
    assert len(planned.mails) == 1
    db.session.add(ReminderLog(user_id=nina().id, kind=BOOSTERS, sent_on=today))
    db.session.commit()
    monkeypatch.setattr(sending, "plan_reminders", lambda *a, **k: planned)
    result = send(runner)
    assert result.exit_code == 0, result.output
    assert "sent 0 mails" in result.output and opted.received == []
    assert booster_logs() == 1


def test_no_mail_without_the_choice_while_paused_or_with_nothing_due(passed, runner,  # noqa: F811
                                                                     opted):
    # Not chosen (switched off again).
    choose_mail(nina(), False)
    db.session.commit()
    assert "sent 0 mails" in send(runner).output
    # Chosen, but paused for a holiday.
    choose_mail(nina(), True)
    token = csrf_from(passed.get("/account").get_data(as_text=True))
    until = (local_today() + timedelta(days=7)).isoformat()
    passed.post("/learn/boosters/pause", data={"csrf_token": token, "until": until})
    assert "sent 0 mails" in send(runner).output
    # Back from holiday, but nothing is due yet.
    passed.post("/learn/boosters/resume", data={"csrf_token": token})
    for card in db.session.scalars(select(BoosterCard)):
        card.due_at = utcnow() + timedelta(days=2)
    db.session.commit()
    assert "sent 0 mails" in send(runner).output
    assert opted.received == [] and booster_logs() == 0
    # Today's boosters all answered on the dashboard: nothing waits either.
    make_due()
    for _ in range(3):
        card = todays_boosters(nina(), local_today()).next.card
        assert answer(passed, card, "x").status_code == 302
    assert "sent 0 mails" in send(runner).output
    assert opted.received == []


def test_another_learner_s_choice_or_a_deactivated_one_gets_no_mail(runner, opted):  # noqa: ANN001
    make_user(email="other@example.com")
    choose_mail(db.session.scalar(select(User).where(User.email == "other@example.com")), True)
    nina().active = False
    db.session.commit()
    assert "sent 0 mails" in send(runner).output  # other has no boosters; Nina left
    assert opted.received == []


def test_a_dutch_learner_gets_it_in_dutch(app, runner, opted, content_copy):  # noqa: ANN001
    write_dutch(content_copy)
    sync(content_copy)
    nina().locale = "nl"
    for card in db.session.scalars(select(BoosterCard)):
        # Only the cups question is due: its Dutch prompt is the first question.
        card.due_at = utcnow() + (timedelta(hours=-1) if card.question_id == "cups"
                                  else timedelta(days=3))
    db.session.commit()
    assert send(runner).exit_code == 0
    mail = opted.to("new@example.com")
    text = body(mail)
    assert "Hoeveel koppen per dag zet de Office B60?" in text
    assert "How many cups" not in text
    assert '<html lang="nl">' in mail.get_body(preferencelist=("html",)).get_content()
    # The words come from the Dutch catalogue (this area's translations, merged by the lead).
    assert mail["Subject"] == "1 booster wacht op je"
    assert "Hoi Nina," in text


# The setting on the account page ---------------------------------------------------------------

def test_the_account_page_shows_and_saves_the_choice(passed):  # noqa: F811
    page = passed.get("/account").get_data(as_text=True)
    assert "Send me my boosters by mail each day" in page
    assert UNTICKED in page
    token = csrf_from(page)
    response = passed.post("/learn/boosters/mail", data={"csrf_token": token, "mail": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/account")
    assert db.session.get(BoosterMail, nina().id) is not None
    page = passed.get("/account").get_data(as_text=True)
    assert "You will get your boosters by mail" in page
    assert TICKED in page
    # Unticked: the mails stop.
    passed.post("/learn/boosters/mail", data={"csrf_token": token})
    assert db.session.get(BoosterMail, nina().id) is None
    assert "You will no longer get your boosters by mail" in \
        passed.get("/account").get_data(as_text=True)


def test_the_choice_needs_the_csrf_token_and_a_login(passed, app):  # noqa: F811
    response = passed.post("/learn/boosters/mail", data={"mail": "y"})
    assert response.status_code == 400
    assert db.session.scalar(select(BoosterMail.user_id)) is None
    anonymous = app.test_client()
    response = anonymous.post("/learn/boosters/mail",
                              data={"csrf_token": page_token(anonymous), "mail": "y"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert db.session.scalar(select(BoosterMail.user_id)) is None


def test_each_person_sets_only_their_own(passed, app):  # noqa: F811
    make_user(email="other@example.com")
    other = app.test_client()
    login(other, "other@example.com")
    token = csrf_from(other.get("/account").get_data(as_text=True))
    other.post("/learn/boosters/mail", data={"csrf_token": token, "mail": "y"})
    chosen = db.session.scalars(select(BoosterMail.user_id)).all()
    assert chosen == [db.session.scalar(select(User.id).where(
        User.email == "other@example.com"))]



def test_the_mail_text_escapes_the_question_and_counts_one(app):  # noqa: ARG001 - gettext
    from lms.reminders.compose import booster_mail

    mail = booster_mail("Nina New", "new@example.com", 1, "Is <b>B60</b> & C1 the same?",
                        f"{BASE}/learn/#boosters", f"{BASE}/account")
    assert mail.subject == "1 booster waits for you"
    assert "1 question waits for you today" in mail.text
    assert "  Is <b>B60</b> & C1 the same?\n" in mail.text  # plain text, as written
    assert "Is &lt;b&gt;B60&lt;/b&gt; &amp; C1 the same?" in mail.html
    assert "<b>" not in mail.html
    with pytest.raises(ValueError):
        booster_mail("Nina", "new@example.com", 0, "?", "x", "y")
