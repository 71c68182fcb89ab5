"""Parsing modules, quizzes and learning paths into documents, with real line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.content.documents import (
    Matching,
    MultipleResponse,
    Numeric,
    QuizSettings,
    ShortText,
    SingleChoice,
    TrueFalse,
)
from lms.content.parsing import (
    content_hash,
    parse_module,
    parse_path,
    parse_quiz,
    split_front_matter,
)
from lms.content.validation import Context, check_module_text, check_path_text, check_quiz_text

GOOD = Path(__file__).parent.parent / "fixtures" / "content" / "good"


def read(relative: str) -> str:
    return (GOOD / relative).read_text(encoding="utf-8")


def test_module_front_matter_fields_and_lines() -> None:
    parsed = parse_module(read("content/modules/machine-range.md"), "m/machine-range.md")
    assert parsed.ok and parsed.problems == ()
    doc = parsed.doc
    assert doc is not None
    assert doc.slug == "machine-range"
    assert doc.path == "m/machine-range.md"
    assert doc.title == "The Brewline machine range"
    assert doc.category == "product-knowledge"
    assert doc.summary == "What each machine family does and who it is for."
    assert doc.estimated_minutes == 15
    assert doc.objectives == ("Name the three machine families and their daily cup volumes",
                              "Match a customer to a machine family")
    assert doc.tags == ("machines", "products")
    assert doc.prerequisites == ("company-introduction",)
    assert doc.quiz == "machine-range"
    assert doc.language == "en"
    # Lines count from the top of the .md file, so the opening --- is line 1.
    assert doc.line_of("title") == 2
    assert doc.line_of("quiz") == 12
    assert doc.item_lines["objectives"] == (7, 8)
    assert doc.item_line("prerequisites", 0) == 11
    assert doc.body.startswith("# The Brewline machine range\n")
    assert doc.body_line == 15


def test_module_optional_fields_default() -> None:
    parsed = parse_module(read("content/modules/company-introduction.md"), "x.md")
    doc = parsed.doc
    assert parsed.ok and doc is not None
    assert (doc.objectives, doc.tags, doc.prerequisites) == ((), (), ())
    assert doc.quiz is None and doc.language == "en"


def test_module_with_crlf_line_ends_has_same_lines() -> None:
    text = read("content/modules/machine-range.md")
    crlf = parse_module(text.replace("\n", "\r\n"), "m.md").doc
    lf = parse_module(text, "m.md").doc
    assert crlf == lf
    assert crlf is not None and crlf.lines == lf.lines  # type: ignore[union-attr]


def test_text_fields_keep_the_written_words() -> None:
    # YAML 1.1 would read `No` as false and `1.50` as a float; a title means the text written.
    text = "---\ntitle: No\ncategory: product-knowledge\nsummary: 1.50\nestimated_minutes: 5\n---\n"
    doc = parse_module(text, "m.md").doc
    assert doc is not None and (doc.title, doc.summary) == ("No", "1.50")


def test_split_front_matter() -> None:
    assert split_front_matter("---\na: 1\n---\nbody\n") == ("a: 1\n", "body\n", 4)
    assert split_front_matter("---\na: 1\n...\n") == ("a: 1\n", "", 4)
    assert split_front_matter("no front matter") is None
    assert split_front_matter("---\na: 1\n") is None


def test_quiz_settings_every_field() -> None:
    parsed = parse_quiz(read("quizzes/machine-range.yaml"), "quizzes/machine-range.yaml")
    assert parsed.ok and parsed.problems == ()
    quiz = parsed.doc
    assert quiz is not None
    assert (quiz.slug, quiz.title) == ("machine-range", "Machine range check")
    assert quiz.description == "Six questions on the machine range."
    assert quiz.settings == QuizSettings(
        pass_mark=80, max_attempts=3, cooldown_minutes=10, grading_method="last",
        shuffle_questions=True, shuffle_options=True, draw=5, time_limit_minutes=20,
        reveal_answers="after_pass", multiple_response_scoring="all_or_nothing",
        path="quizzes/machine-range.yaml", line=4,
    )
    assert quiz.settings.line_of("draw") == 10


def test_quiz_settings_defaults_and_keywords() -> None:
    text = ("title: T\nsettings:\n  max_attempts: unlimited\n  draw: all\n"
            "  time_limit_minutes: none\nquestions:\n  - id: a\n    type: true_false\n"
            "    prompt: P\n    answer: true\n")
    quiz = parse_quiz(text, "t.yaml").doc
    assert quiz is not None
    settings = quiz.settings
    assert (settings.max_attempts, settings.draw, settings.time_limit_minutes) == (None,) * 3
    assert settings.pass_mark == 70 and settings.cooldown_minutes == 0
    assert settings.grading_method == "highest" and settings.reveal_answers == "after_submit"
    assert settings.multiple_response_scoring == "partial"
    assert not settings.shuffle_questions and not settings.shuffle_options
    no_settings = parse_quiz(text.replace("settings:\n  max_attempts: unlimited\n  draw: all\n"
                                          "  time_limit_minutes: none\n", ""), "t.yaml").doc
    assert no_settings is not None and no_settings.settings.pass_mark == 70


def test_quiz_question_types() -> None:
    quiz = parse_quiz(read("quizzes/machine-range.yaml"), "q.yaml").doc
    assert quiz is not None
    single, multiple, weighted, true_false, numeric, short, matching = quiz.questions

    assert isinstance(single, SingleChoice) and single.type == "single_choice"
    assert (single.id, single.points, single.tags) == ("family-count", 2, ("machines",))
    assert single.prompt == "How many machine families does Brewline sell?"
    assert single.explanation == "Compact, Office and Bean-to-cup."
    assert [(o.text, o.correct, o.feedback) for o in single.options] == [
        ("Three", True, "Right."), ("Five", False, None)]
    assert (single.line, single.line_of("id"), single.line_of("options")) == (15, 15, 21)
    assert [o.line for o in single.options] == [22, 25]

    assert isinstance(multiple, MultipleResponse) and not multiple.weighted
    assert [o.correct for o in multiple.options] == [True, True, False]
    assert multiple.points == 1 and multiple.explanation is None

    assert isinstance(weighted, MultipleResponse) and weighted.weighted
    assert [(o.weight, o.correct) for o in weighted.options] == [(50, True), (50, True),
                                                                 (-100, False)]

    assert isinstance(true_false, TrueFalse) and true_false.answer is False
    assert true_false.feedback_true == "No, it has a tank."
    assert true_false.feedback_false == "Right, it has a tank."

    assert isinstance(numeric, Numeric) and numeric.unit == "cups"
    exact, ranged = numeric.answers
    assert (exact.value, exact.tolerance, exact.weight, exact.feedback) == (150, 10, 100,
                                                                            "Close enough.")
    assert not exact.is_range and ranged.is_range
    assert (ranged.min, ranged.max, ranged.weight) == (100, 200, 50)

    assert isinstance(short, ShortText)
    assert [(a.text, a.weight, a.feedback) for a in short.answers] == [
        ("Brewline", 100, None), ("Brew line", 50, "One word.")]

    assert isinstance(matching, Matching)
    assert [(p.left, p.right) for p in matching.pairs] == [("Compact", "40"), ("Office", "150")]
    assert matching.distractors == ("1000",)
    assert [p.line for p in matching.pairs] == [75, 77]


def test_path_fields() -> None:
    parsed = parse_path(read("content/paths/onboarding.yaml"), "paths/onboarding.yaml")
    assert parsed.ok
    path = parsed.doc
    assert path is not None
    assert (path.slug, path.title) == ("onboarding", "New hire onboarding")
    assert path.description == "Everything a new salesperson needs in the first month."
    assert path.certificate_validity_days == 365
    assert [(e.module, e.required, e.line) for e in path.modules] == [
        ("company-introduction", True, 5), ("machine-range", False, 6)]


def test_unusable_files_give_no_document() -> None:
    assert parse_quiz("title: [", "q.yaml").doc is None
    assert parse_quiz("- a list\n", "q.yaml").doc is None
    assert parse_path("", "p.yaml").doc is None
    assert parse_module("# no front matter", "m.md").doc is None


def test_invalid_fields_still_give_a_document_with_problems() -> None:
    parsed = parse_module("---\ntitle: T\ncategory: product-knowledge\nsummary: S\n"
                          "estimated_minutes: lots\n---\nbody\n", "m.md")
    assert parsed.doc is not None and not parsed.ok
    assert [(p.line, p.severity) for p in parsed.problems] == [(5, "error")]


@pytest.mark.parametrize("text", ["a\r\nb\r\n", "a\nb\n"])
def test_content_hash_normalises_line_ends(text: str) -> None:
    assert content_hash(text) == content_hash("a\nb\n")
    assert len(content_hash(text)) == 64


def test_content_hash_differs_for_different_text() -> None:
    assert content_hash("a") != content_hash("b")


# --- robustness: any input gives problems, never an exception --------------------------------

_KEYS = st.sampled_from([
    "title", "questions", "settings", "id", "type", "prompt", "options", "text", "correct",
    "weight", "answers", "value", "tolerance", "min", "max", "pairs", "left", "right", "answer",
    "draw", "pass_mark", "modules", "module", "required", "single_choice", "numeric", "matching",
    "short_text", "multiple_response", "true_false", "x",
])
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-200, 200),
                     st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=5), _KEYS)
_TREES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=5)), max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(_TREES)
def test_any_yaml_structure_is_reported_not_raised(tree: object) -> None:
    source = yaml.safe_dump(tree)
    context = Context(module_slugs=frozenset({"x"}))
    for check in (check_quiz_text, check_path_text):
        assert all(p.line >= 1 for p in check("q", source, context))
    assert all(p.line >= 1 for p in check_module_text("m", f"---\n{source}---\n", context))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="-:[]{}#!()`*>\n \t'\"amd.\\|&", max_size=60))
def test_any_text_is_reported_not_raised(source: str) -> None:
    context = Context()
    check_quiz_text("q", source, context)
    check_path_text("p", source, context)
    check_module_text("m", source, context)
    check_module_text("m", f"---\ntitle: T\n---\n{source}", context)


def test_explicit_yaml_tags_with_bad_values_are_problems() -> None:
    source = ("title: T\nsettings:\n  pass_mark: !!int abc\n  shuffle_options: !!bool maybe\n"
              "  draw: !!python/object:os.system x\nquestions: []\n")
    problems = parse_quiz(source, "q.yaml").problems
    assert [p.line for p in problems] == [3, 4, 5, 6]
