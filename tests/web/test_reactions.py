"""Reactions through the web: the questions after a module or path, answering once, "not now",
bad input; and the trainers' results, shown from five answers, never with names."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.learning.catalog import live_item
from lms.learning.completion import mark_read
from lms.learning.reactions import record_reaction
from lms.models import ContentKind, Reaction, Role
from tests.conftest import login, page_token
from tests.factories import make_team, make_user
from tests.impact_helpers import statements
from tests.learning_helpers import FOLLOW_UP, RIGHT, sync, write_practice
from tests.web.test_learning import read, send, start

ASK = "What did you think of “Practice module”?"
MODULE = "/learn/modules/practice-module"
ANSWER = "/learn/reactions/modules/practice-module"
GOOD = {"useful": "4", "clear": "5", "recommend": "3", "comment": "Handy facts for my demos"}


@pytest.fixture
def learner(app, content_copy):  # noqa: ANN001, ANN201
    write_practice(content_copy)
    sync(content_copy)
    make_user(email="new@example.com", name="Nina Newcomer")
    client = app.test_client()
    login(client, "new@example.com")
    return client


def complete_practice(client) -> int:  # noqa: ANN001
    """Read the practice module and pass its quiz; the attempt's id."""
    read(client)
    attempt = start(client)
    assert send(client, attempt, RIGHT).status_code == 302
    return attempt


def answer(client, data: dict, url: str = ANSWER, **kwargs):  # noqa: ANN001, ANN003, ANN201
    return client.post(url, data={**data, "csrf_token": page_token(client, MODULE)}, **kwargs)


def reactions() -> list[Reaction]:
    return list(db.session.scalars(select(Reaction).order_by(Reaction.id)))


def test_the_questions_appear_once_the_module_is_complete(learner):
    read(learner)  # read, quiz not passed: not complete yet
    assert ASK not in learner.get(MODULE).get_data(as_text=True)
    attempt = complete_practice(learner)
    result = learner.get(f"/learn/attempts/{attempt}/result").get_data(as_text=True)
    assert ASK in result and "Useful for my work" in result and "Not now" in result
    assert ASK in learner.get(MODULE).get_data(as_text=True)


def test_an_answer_is_stored_on_the_version_read_and_not_asked_again(learner):
    complete_practice(learner)
    response = answer(learner, {**GOOD, "next": MODULE})
    assert response.status_code == 302 and response.headers["Location"] == MODULE
    [row] = reactions()
    module = live_item(ContentKind.MODULE, "practice-module")
    assert (row.useful, row.clear, row.recommend, row.comment) == (4, 5, 3,
                                                                   "Handy facts for my demos")
    assert row.version_id == module.current_version_id and row.item_id == module.id
    page = learner.get(MODULE).get_data(as_text=True)
    assert "Thank you" in page and ASK not in page


def test_a_second_answer_is_refused_clearly(learner):
    complete_practice(learner)
    answer(learner, GOOD)
    response = answer(learner, {**GOOD, "useful": "1"}, follow_redirects=True)
    assert response.status_code == 200
    assert "You have already answered or skipped the questions about “Practice module”" in \
        response.get_data(as_text=True)
    assert [r.useful for r in reactions()] == [4]


@pytest.mark.parametrize("change", [{"useful": "0"}, {"clear": "6"}, {"recommend": None},
                                    {"useful": "four"}, {"clear": ""},
                                    {"useful": "99999999999999999999999"},
                                    {"comment": "x" * 1001}])
def test_invalid_answers_give_a_form_error_and_store_nothing(learner, change):
    complete_practice(learner)
    data = {key: value for key, value in {**GOOD, **change}.items() if value is not None}
    response = answer(learner, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Please correct this" in page
    assert ("Keep the comment to 1000 characters." if "comment" in change
            else "Choose a score from 1 to 5.") in page
    assert reactions() == []
    # The questions are still asked.
    assert ASK in learner.get(MODULE).get_data(as_text=True)


def test_an_answer_needs_a_csrf_token(learner):
    complete_practice(learner)
    assert learner.post(ANSWER, data=GOOD).status_code == 400
    assert learner.post(ANSWER, data={**GOOD, "csrf_token": "forged"}).status_code == 400
    assert learner.post(f"{ANSWER}/dismiss", data={}).status_code == 400
    assert reactions() == []


def test_not_now_hides_the_questions_for_good(learner):
    complete_practice(learner)
    response = answer(learner, {"next": MODULE}, url=f"{ANSWER}/dismiss")
    assert response.headers["Location"] == MODULE
    [row] = reactions()
    assert (row.useful, row.clear, row.recommend) == (None, None, None)
    assert ASK not in learner.get(MODULE).get_data(as_text=True)
    # Nor can an answer follow: the version has had its one row.
    answer(learner, GOOD)
    assert len(reactions()) == 1 and reactions()[0].useful is None


def test_no_questions_before_completing(learner):
    response = answer(learner, GOOD, follow_redirects=True)
    assert "once you have completed it" in response.get_data(as_text=True)
    assert reactions() == []


def test_an_outside_next_address_is_not_followed(learner):
    complete_practice(learner)
    response = answer(learner, {**GOOD, "next": "https://evil.example/learn/"})
    assert response.headers["Location"] == MODULE


def test_completing_a_path_asks_about_the_path_after_the_module(learner):
    complete_practice(learner)
    answer(learner, GOOD)
    read(learner, "follow-up-module")  # the path's last module: the path is complete too
    page = learner.get("/learn/modules/follow-up-module").get_data(as_text=True)
    assert "What did you think of “Follow-up module”?" in page
    answer(learner, {"next": "/learn/modules/follow-up-module"},
           url="/learn/reactions/modules/follow-up-module/dismiss")
    page = learner.get("/learn/modules/follow-up-module").get_data(as_text=True)
    assert "What did you think of “Practice path”?" in page
    assert "What did you think of “Practice path”?" in \
        learner.get("/learn/paths/practice-path").get_data(as_text=True)
    answer(learner, GOOD, url="/learn/reactions/paths/practice-path")
    path = live_item(ContentKind.PATH, "practice-path")
    assert [(r.item_id, r.useful) for r in reactions()][-1] == (path.id, 4)
    assert "What did you think" not in \
        learner.get("/learn/paths/practice-path").get_data(as_text=True)


# The trainers' side ------------------------------------------------------------------------------

RESULTS = "/author/reactions/modules/follow-up-module"


def _answered(first: int, last: int, scores: tuple[int, int, int] = (4, 3, 5),
              comment: str = "") -> None:
    """People ``first`` .. ``last - 1`` complete the follow-up module (no quiz) and answer."""
    module = live_item(ContentKind.MODULE, "follow-up-module")
    for n in range(first, last):
        person = make_user(email=f"rep{n}@example.com", name=f"Rita Reactor{n}")
        mark_read(person, module)
        record_reaction(person.id, module, useful=scores[0], clear=scores[1],
                        recommend=scores[2], comment=comment or f"Remark from {n}")
    db.session.commit()


@pytest.fixture
def trainer(app, content_copy):  # noqa: ANN001, ANN201
    write_practice(content_copy)
    sync(content_copy)
    make_user(Role.TRAINER, email="trainer@example.com")
    client = app.test_client()
    login(client, "trainer@example.com")
    return client


def test_results_appear_at_five_answers_without_names(trainer):
    _answered(0, 4)
    page = trainer.get(RESULTS).get_data(as_text=True)
    assert "4 of 5 answers so far; results appear at 5." in page
    assert "Remark from" not in page and "Average scores" not in page
    overview = trainer.get("/author/reactions/").get_data(as_text=True)
    assert "4 of 5 answers so far" in overview and "Follow-up module" in overview
    _answered(4, 5)
    page = trainer.get(RESULTS).get_data(as_text=True)
    assert "Average scores" in page and "over 5 answers" in page
    assert ">4.0<" in page and ">3.0<" in page and ">5.0<" in page
    assert page.count("Remark from") == 5
    for n in range(5):
        assert f"Reactor{n}" not in page and f"rep{n}@" not in page
    overview = trainer.get("/author/reactions/").get_data(as_text=True)
    assert ">4.0<" in overview and "Reactor" not in overview


def test_a_small_version_is_not_shown_on_its_own(trainer, content_copy):
    _answered(0, 5, scores=(5, 5, 5), comment="Old text was fine")
    # A new version of the module, which two people complete and answer.
    path = content_copy / "content" / "modules" / "follow-up-module.md"
    path.write_text(FOLLOW_UP.replace("No quiz here", "Still no quiz here"))
    sync(content_copy)
    _answered(5, 7, scores=(1, 1, 1), comment="New text is worse")
    page = trainer.get(RESULTS).get_data(as_text=True)
    # The total (7 answers: (25 + 2) / 7) is shown; neither version alone: version 1 would give
    # away version 2's two answers by subtraction.
    assert "over 7 answers" in page and ">3.9<" in page
    assert ">5.0<" not in page and ">1.0<" not in page
    assert "Fewer than 5 answers: counted in the total only." in page
    assert "Held back" in page
    # The comments are there, but not labelled with a version.
    assert "New text is worse" in page and "Version 2</p>" not in page


def test_the_content_pages_link_to_the_results(trainer):
    assert RESULTS in trainer.get("/author/").get_data(as_text=True)
    assert RESULTS in trainer.get("/author/modules/follow-up-module").get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.LEARNER, Role.MANAGER])
def test_learners_and_managers_cannot_see_results(app, trainer, role):
    boss = make_user(Role.MANAGER, email="boss@example.com")
    make_team(managers=[boss])
    if role is Role.LEARNER:
        make_user(email="someone@example.com")
    _answered(0, 5)
    client = app.test_client()
    login(client, "boss@example.com" if role is Role.MANAGER else "someone@example.com")
    for url in ("/author/reactions/", RESULTS):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Remark from" not in response.get_data(as_text=True)


def test_the_results_pages_do_not_grow_with_the_answers(trainer):
    def count(url: str) -> int:
        trainer.get(url)
        with statements() as seen:
            assert trainer.get(url).status_code == 200
        return len(seen)

    _answered(0, 5)
    few = {url: count(url) for url in ("/author/reactions/", RESULTS)}
    _answered(5, 20)
    assert {url: count(url) for url in few} == few
    assert db.session.scalar(select(func.count()).select_from(Reaction)) == 20
