"""Translations of content (issue 13): ``x.nl.md`` beside ``x.md``, checked against the original,
stored as versions of the same item, shown in the reader's language and graded as one quiz."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from lms.content.store import sync_content
from lms.content.validation import check_tree
from lms.extensions import db
from lms.learning.standing import standing
from lms.models import Attempt, ContentItem, ContentKind, ContentTranslation
from tests.conftest import login, page_token
from tests.factories import make_user
from tests.learning_helpers import MODULE, RIGHT, form_data, quiz_yaml, sync, write_practice

QUIZ = "/learn/quizzes/practice-quiz"
DUTCH_MODULE = MODULE.replace("title: Practice module", "title: Oefenmodule\nlanguage: nl") \
    .replace("# Practice module", "# Oefenmodule").replace("The facts", "De feiten") \
    .replace("The Office B60 makes 60 cups a day.", "De Office B60 zet 60 koppen per dag.")


def dutch_quiz(**settings: object) -> str:
    return quiz_yaml(**settings).replace("title: Practice quiz",
                                         "title: Oefentoets\nlanguage: nl") \
        .replace("How many cups a day does the Office B60 make?",
                 "Hoeveel koppen per dag zet de Office B60?")


def write_dutch(root: Path, quiz: str | None = None) -> None:
    (root / "content/modules/practice-module.nl.md").write_text(DUTCH_MODULE)
    (root / "quizzes/practice-quiz.nl.yaml").write_text(quiz or dutch_quiz())


def resync(root: Path):  # noqa: ANN201 - a SyncReport, problems allowed (unlike sync())
    report = sync_content(root / "content/modules", root / "quizzes", root / "content/paths",
                          ("product-knowledge", "customer-demographics"))
    db.session.commit()
    return report


def problems(root: Path) -> list[str]:
    found = check_tree(root / "content/modules", root / "quizzes", root / "content/paths")
    return [f"{Path(p.path).name}:{p.line}: {p.message}" for p in found if p.is_error]


@pytest.fixture
def tree(content_copy: Path) -> Path:
    write_practice(content_copy)
    write_dutch(content_copy)
    return content_copy


def test_a_faithful_translation_passes_the_check(tree):
    assert [p for p in problems(tree) if "practice" in p] == []


@pytest.mark.parametrize(("change", "expected"), [
    (lambda q: q.replace("id: cups", "id: koppen"),
     "practice-quiz.nl.yaml:5: the question ids differ from practice-quiz.yaml's "
     "(missing cups; not in the original: koppen)"),
    (lambda q: q.replace("      - text: Office\n        correct: true\n      - text: Compact",
                         "      - text: Office\n      - text: Compact\n        correct: true"),
     "question 'family': other correct options (or weights) than in practice-quiz.yaml"),
    (lambda q: q.replace("answer: false", "answer: true"),
     "question 'telemetry': another answer than in practice-quiz.yaml"),
    (lambda q: q.replace("pass_mark: 60", "pass_mark: 50"),
     "the settings differ from practice-quiz.yaml's"),
    (lambda q: q.replace("language: nl", "language: de"),
     "the file name says this is the 'nl' translation, but its 'language' is 'de'"),
])
def test_the_check_reports_a_translation_that_would_grade_differently(tree, change, expected):
    path = tree / "quizzes/practice-quiz.nl.yaml"
    path.write_text(change(path.read_text()))
    assert any(expected in p for p in problems(tree)), problems(tree)


def test_a_translation_without_an_original_is_reported(tree):
    (tree / "quizzes/practice-quiz.nl.yaml").rename(tree / "quizzes/no-such-quiz.nl.yaml")
    assert any("no-such-quiz.nl.yaml:1: a translation of no-such-quiz.yaml, which does not exist"
               in p for p in problems(tree))


def test_a_module_translation_must_keep_the_quiz_and_prerequisites(tree):
    path = tree / "content/modules/practice-module.nl.md"
    path.write_text(path.read_text().replace("quiz: practice-quiz", "quiz: buying-committees"))
    assert any("practice-module.nl.md" in p and "quiz differs from practice-module.md's" in p
               for p in problems(tree))


def test_sync_stores_a_translation_as_a_version_of_the_same_item(app, tree):
    sync(tree)
    quiz = db.session.scalar(select(ContentItem).where(ContentItem.slug == "practice-quiz"))
    row = db.session.get(ContentTranslation, (quiz.id, "nl"))
    assert row.version.item_id == quiz.id and row.version.title == "Oefentoets"
    assert row.version.language == "nl" and quiz.current_version.language == "en"
    assert quiz.current_version.title == "Practice quiz"
    # Nothing in a folder but the translation is gone: the translation goes, the item stays.
    (tree / "quizzes/practice-quiz.nl.yaml").unlink()
    sync(tree)
    assert db.session.get(ContentTranslation, (quiz.id, "nl")) is None
    assert quiz.retired_at is None


def _start(client) -> Attempt:  # noqa: ANN001
    response = client.post(f"{QUIZ}/start", data={"csrf_token": page_token(client, QUIZ)})
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalars(select(Attempt).order_by(Attempt.id.desc())).first()


def test_a_dutch_reader_gets_the_translation_and_an_english_one_the_original(app, client, tree):
    sync(tree)
    make_user(email="rep@example.com")
    login(client, "rep@example.com")
    dutch = client.get("/learn/modules/practice-module",
                       headers={"Accept-Language": "nl-NL,nl;q=0.9,en;q=0.5"})
    assert "De Office B60 zet 60 koppen per dag." in dutch.get_data(as_text=True)
    english = client.get("/learn/modules/practice-module", headers={"Accept-Language": "en-GB"})
    assert "The Office B60 makes 60 cups a day." in english.get_data(as_text=True)
    overview = client.get(QUIZ, headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "Oefentoets" in overview


def test_an_attempt_in_dutch_records_its_language_and_counts_for_the_same_quiz(app, client,
                                                                               tree):
    sync(tree)
    rep = make_user(email="rep@example.com")
    login(client, "rep@example.com")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    attempt = _start(client)
    assert attempt.language == "nl" and attempt.quiz_version.title == "Oefentoets"
    page = client.get(f"/learn/attempts/{attempt.id}").get_data(as_text=True)
    assert "Hoeveel koppen per dag zet de Office B60?" in page
    data = form_data(RIGHT) | {"csrf_token": page_token(client, f"/learn/attempts/{attempt.id}"),
                               "action": "submit"}
    response = client.post(f"/learn/attempts/{attempt.id}/save", data=data)
    assert response.status_code == 302
    quiz = db.session.scalar(select(ContentItem).where(ContentItem.kind == ContentKind.QUIZ.value,
                                                       ContentItem.slug == "practice-quiz"))
    # The Dutch attempt passes the quiz itself: an English reader sees it passed too.
    assert standing(rep, quiz).passed
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "Passed" in client.get(QUIZ).get_data(as_text=True)


def test_an_open_dutch_attempt_goes_on_after_the_original_is_reread(app, client, tree):
    """The original staying as it is does not end an attempt taken on the translation."""
    sync(tree)
    make_user(email="rep@example.com")
    login(client, "rep@example.com")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    first = _start(client)
    page = client.get(f"/learn/attempts/{first.id}", headers={"Accept-Language": "en"})
    assert "Hoeveel koppen" in page.get_data(as_text=True)  # still the Dutch version
    assert "This quiz has been updated since you started" not in page.get_data(as_text=True)
    again = _start(client)
    assert again.id == first.id


def test_export_writes_translations_beside_their_originals(app, tree, tmp_path):
    from lms.content.export import export_content

    sync(tree)
    report = export_content(tmp_path / "out")
    written = {p.name for p in report.written}
    assert {"practice-quiz.nl.yaml", "practice-module.nl.md", "practice-quiz.yaml"} <= written
    assert (tmp_path / "out/quizzes/practice-quiz.nl.yaml").read_text() == dutch_quiz()


def test_a_reader_without_a_translation_gets_the_original_with_a_note(app, client, tree):
    sync(tree)
    make_user(email="rep@example.com")
    login(client, "rep@example.com")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    note = "Dit is nog niet beschikbaar in het Nederlands: je leest het origineel in het Engels."
    # No Dutch regional-market-figures quiz in the sample content: the original, with the note.
    overview = client.get("/learn/quizzes/regional-market-figures").get_data(as_text=True)
    assert "Regional market figures" in overview and note in overview
    # The practice module has its Dutch translation: no note.
    translated = client.get("/learn/modules/practice-module").get_data(as_text=True)
    assert "De Office B60 zet 60 koppen per dag." in translated and note not in translated
    # An English reader of the original gets no note either.
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "not available in" not in client.get("/learn/quizzes/regional-market-figures") \
        .get_data(as_text=True)


def test_a_translation_that_no_longer_matches_is_withdrawn_until_fixed(app, client, tree):
    """Readers get the original rather than a translation graded on other answers."""
    sync(tree)
    path = tree / "quizzes/practice-quiz.nl.yaml"
    path.write_text(path.read_text().replace("id: cups", "id: koppen"))
    report = resync(tree)
    assert [Path(p.path).name for p in report.skipped] == ["practice-quiz.nl.yaml"]
    assert "quiz:practice-quiz (nl)" in report.retired
    make_user(email="rep@example.com")
    login(client, "rep@example.com")
    page = client.get(QUIZ, headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "Practice quiz" in page and "je leest het origineel in het Engels" in page


def test_a_broken_original_keeps_its_translations_at_their_last_versions(app, tree):
    sync(tree)
    original = tree / "quizzes/practice-quiz.yaml"
    original.write_text(original.read_text().replace("pass_mark: 60", "pass_mark: 160"))
    report = resync(tree)
    assert "quiz:practice-quiz (nl)" not in report.retired
    quiz = db.session.scalar(select(ContentItem).where(ContentItem.slug == "practice-quiz"))
    assert db.session.get(ContentTranslation, (quiz.id, "nl")) is not None


def test_versions_are_numbered_per_language(app, tree):
    sync(tree)
    quiz = db.session.scalar(select(ContentItem).where(ContentItem.slug == "practice-quiz"))
    assert [v.number for v in quiz.versions] == [1]  # the original's history only
    assert db.session.get(ContentTranslation, (quiz.id, "nl")).version.number == 1


def test_the_content_list_shows_each_translation_with_its_state(app, client, tree):
    sync(tree)
    make_user("trainer", email="trainer@example.com")
    login(client, "trainer@example.com")
    page = client.get("/author/").get_data(as_text=True)
    assert "Translation: <code>practice-quiz.nl.yaml</code>" in page
    assert "Not served" not in page
    path = tree / "quizzes/practice-quiz.nl.yaml"
    path.write_text(path.read_text().replace("id: cups", "id: koppen"))
    resync(tree)
    page = client.get("/author/").get_data(as_text=True)
    row = page.split("practice-quiz.nl.yaml", 1)[1].split("</td>", 1)[0]
    assert "Not served until fixed" in row and "the question ids differ" in row


def test_a_save_in_the_editor_withdraws_a_translation_it_no_longer_matches(app, client, tree):
    from tests.web.test_author import open_editor

    sync(tree)
    make_user("trainer", email="trainer@example.com")
    login(client, "trainer@example.com")
    edit = "/author/quizzes/practice-quiz/edit"
    quiz = db.session.scalar(select(ContentItem).where(ContentItem.slug == "practice-quiz"))
    # A change of wording only: the Dutch translation still matches and stays.
    text, base_hash, token = open_editor(client, edit)
    client.post(edit, data={"text": text.replace("Name the company.", "Name our company."),
                            "base_hash": base_hash, "csrf_token": token, "action": "save"})
    assert db.session.get(ContentTranslation, (quiz.id, "nl")) is not None
    # Another right answer: the translation would grade differently, so it is withdrawn.
    text, base_hash, token = open_editor(client, edit)
    response = client.post(edit, data={"text": text.replace("answer: false", "answer: true"),
                                       "base_hash": base_hash, "csrf_token": token,
                                       "action": "save"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "The translation into Dutch no longer matches this text and is withdrawn" in page
    db.session.expire_all()
    assert db.session.get(ContentTranslation, (quiz.id, "nl")) is None
