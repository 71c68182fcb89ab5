"""The question statistics page: per quiz version, for trainers (everyone's attempts) and
managers (their teams' attempts only), with a CSV export."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import event, func, select

from lms.extensions import db
from lms.learning.catalog import live_item
from lms.models import (
    Attempt,
    AttemptQuestion,
    ContentItem,
    ContentKind,
    ContentVersion,
    Role,
    Submission,
    User,
)
from tests.conftest import login
from tests.factories import make_team, make_user
from tests.learning_helpers import quiz_yaml, sync, write_practice

URL = "/manage/question-stats/practice-quiz"

# The hand-worked table of tests/unit/test_itemstats.py: facility 50% / 50% / 75%,
# discrimination 58% / -30% / 0%.
FOUR = [{"cups": 1, "family": 1, "telemetry": 1}, {"cups": 1, "family": 0, "telemetry": 1},
        {"cups": 0, "family": 1, "telemetry": 0}, {"cups": 0, "family": 0, "telemetry": 1}]


def graded(user: User, quiz: ContentItem, points: dict[str, float], *,
           version: ContentVersion | None = None, submitted: bool = True) -> Attempt:
    """A graded attempt with the given points per question (each worth one point)."""
    number = 1 + db.session.scalar(select(func.count()).select_from(Attempt).where(
        Attempt.user_id == user.id, Attempt.quiz_id == quiz.id))
    attempt = Attempt(user_id=user.id, quiz_id=quiz.id,
                      quiz_version_id=(version or quiz.current_version).id, number=number,
                      seed=number, status="submitted" if submitted else "open")
    for position, (qid, score) in enumerate(points.items(), start=1):
        attempt.questions.append(AttemptQuestion(
            position=position, question_id=qid, max_points=1.0,
            points=score if submitted else None,
            result=("correct" if score else "incorrect") if submitted else None))
    db.session.add(attempt)
    if submitted:
        total = float(sum(points.values()))
        db.session.add(Submission(attempt=attempt, points=total, max_points=len(points),
                                  percent=100 * total / len(points), passed=total > 1))
    db.session.commit()
    return attempt


@pytest.fixture
def quiz(app, content_copy) -> ContentItem:  # noqa: ANN001
    write_practice(content_copy)
    sync(content_copy)
    return live_item(ContentKind.QUIZ, "practice-quiz")


def client_for(app, role: Role, **extra):  # noqa: ANN001, ANN003, ANN201
    user = make_user(role, **extra)
    client = app.test_client()
    login(client, user.email)
    return client, user


def cells(page: str, qid: str) -> list[str]:
    """The text of the table row of question ``qid``."""
    row = re.search(rf"<tr[^>]*>\s*<td[^>]*>\d+</td>\s*<th scope=\"row\"><code>{qid}</code>"
                    r"(.*?)</tr>", page, re.S)
    assert row, qid
    return [re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]


def test_a_trainer_sees_facility_and_discrimination_per_question(app, quiz):
    people = [make_user(name=f"Rep {i}") for i in range(4)]
    for person, points in zip(people, FOUR, strict=True):
        graded(person, quiz, points)
    graded(people[0], quiz, {"cups": 1, "family": 1}, submitted=False)  # open: not counted
    client, _ = client_for(app, Role.TRAINER)

    index = client.get("/manage/question-stats/").get_data(as_text=True)
    assert "Practice quiz" in index and "4 attempts" in index

    page = client.get(URL).get_data(as_text=True)
    assert "4 graded attempts of this version" in page
    # type, attempts, facility, discrimination, review
    assert cells(page, "cups")[:4] == ["numeric", "4", "50%", "58%"]
    assert cells(page, "cups")[4] == "Looks fine"
    assert cells(page, "family")[:4] == ["single choice", "4", "50%", "-30%"]
    assert cells(page, "family")[4].startswith("Needs review")
    assert "Negative discrimination" in cells(page, "family")[4]
    assert cells(page, "telemetry")[:4] == ["true false", "4", "75%", "0%"]
    assert "Weak discrimination" in cells(page, "telemetry")[4]
    # Not drawn in any attempt: shown, without figures.
    assert cells(page, "pairs")[1:] == ["0", "—", "—", "No attempts"]
    assert "How many cups a day does the Office B60 make?" in page


def test_a_manager_counts_only_the_attempts_of_their_people(app, quiz):
    client, manager = client_for(app, Role.MANAGER)
    mine = make_team("Mine", managers=[manager])
    theirs = make_team("Theirs")
    for i, points in enumerate(FOUR):
        graded(make_user(team=mine if i < 2 else theirs), quiz, points)

    page = client.get(URL).get_data(as_text=True)
    assert "2 graded attempts of this version by people in your teams" in page
    assert cells(page, "family")[:4] == ["single choice", "2", "50%", "—"]
    assert "2 attempts" in client.get("/manage/question-stats/").get_data(as_text=True)
    lines = list(csv.reader(io.StringIO(client.get(URL + "/export.csv").get_data(as_text=True))))
    assert [line[3] for line in lines[1:4]] == ["2", "2", "2"]

    admin, _ = client_for(app, Role.ADMIN)
    assert "4 graded attempts" in admin.get(URL).get_data(as_text=True)


def test_versions_are_kept_apart(app, quiz, content_copy):
    first = quiz.current_version
    rep = make_user()
    graded(rep, quiz, {"cups": 0, "family": 0})
    # A changed quiz file is a new version; the old attempts stay with the old one.
    (content_copy / "quizzes" / "practice-quiz.yaml").write_text(quiz_yaml(max_attempts=5))
    sync(content_copy)
    db.session.refresh(quiz)
    assert quiz.current_version.number == 2
    for points in FOUR:
        graded(rep, quiz, points)
    client, _ = client_for(app, Role.TRAINER)

    page = client.get(URL).get_data(as_text=True)
    assert "version 2" in page and "4 graded attempts" in page
    page = client.get(URL + "?version=1").get_data(as_text=True)
    assert "1 graded attempt of this version" in page
    assert cells(page, "cups")[:3] == ["numeric", "1", "0%"]
    assert "Very hard" in cells(page, "cups")[4]
    assert first.number == 1
    assert client.get(URL + "?version=9").status_code == 404
    assert client.get("/manage/question-stats/no-such-quiz").status_code == 404


def test_the_csv_export_neutralises_formulas(app, quiz, content_copy):
    text = quiz_yaml().replace("prompt: Name the company.",
                               'prompt: "=HYPERLINK(\\"http://evil.example\\") Name the company."')
    (content_copy / "quizzes" / "practice-quiz.yaml").write_text(text)
    sync(content_copy)
    db.session.refresh(quiz)
    for points in FOUR:
        # Everyone scores "name": the rest of each attempt moves by one, the correlations stay.
        graded(make_user(), quiz, {**points, "name": 1})
    client, _ = client_for(app, Role.TRAINER)

    response = client.get(URL + "/export.csv")
    assert response.mimetype == "text/csv"
    assert "question-stats-practice-quiz-v2.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Question id", "Type", "Question", "Attempts", "Facility (%)",
                       "Discrimination (%)", "Needs review", "Reason"]
    by_id = {row[0]: row for row in rows[1:]}
    assert by_id["cups"][3:7] == ["4", "50.0", "57.7", "no"]
    assert by_id["family"][3:7] == ["4", "50.0", "-30.2", "yes"]
    assert by_id["family"][7].startswith("Negative discrimination")
    assert by_id["name"][2].startswith("'=HYPERLINK(")
    assert by_id["name"][3:7] == ["4", "100.0", "", "yes"]
    assert by_id["pairs"][3:6] == ["0", "", ""]


def test_who_may_open_the_page(app, quiz):
    learner, _ = client_for(app, Role.LEARNER)
    assert learner.get("/manage/question-stats/").status_code == 403
    assert learner.get(URL).status_code == 403
    assert learner.get(URL + "/export.csv").status_code == 403
    assert app.test_client().get(URL).status_code == 302
    for role in (Role.TRAINER, Role.MANAGER, Role.ADMIN):
        client, _ = client_for(app, role)
        assert client.get(URL).status_code == 200, role


def test_the_query_count_does_not_grow_with_the_attempts(app, quiz):
    client, _ = client_for(app, Role.TRAINER)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    def queries() -> int:
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(URL).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    graded(make_user(), quiz, FOUR[0])
    few = queries()
    for _ in range(3):
        for points in FOUR:
            graded(make_user(), quiz, points)
    assert queries() == few
