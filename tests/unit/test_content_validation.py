"""Validation: one case per problem, each asserting the file and line it is reported on."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from lms.content.parsing import parse_module
from lms.content.problems import Problem
from lms.content.validation import (
    Context,
    check_module_text,
    check_path_text,
    check_quiz_text,
    check_tree,
    tree_context,
)

GOOD = Path(__file__).parent.parent / "fixtures" / "content" / "good"
M, Q, P = "content/modules", "quizzes", "content/paths"
FRONT = ["---", "title: Case", "category: product-knowledge", "summary: A case.",
         "estimated_minutes: 5"]
QUIZ = ["title: Case", "questions:", "  - id: q1", "    type: single_choice", "    prompt: P",
        "    options:", "      - text: A", "        correct: true", "      - text: B"]


def text(*lines: str) -> str:
    """A file from its lines: the n-th argument is line n, which keeps expected lines readable."""
    return "\n".join(lines) + "\n"


def module(*front: str, body: tuple[str, ...] = ("# Case",)) -> str:
    """A module whose front matter lines 1-5 are FRONT, then ``front``, then ``---`` and body."""
    return text(*FRONT, *front, "---", *body)


def quiz(*question_lines: str, settings: tuple[str, ...] = ()) -> str:
    """QUIZ (lines 1-9, or after ``settings``) followed by ``question_lines``."""
    return text(*(QUIZ[:1] + list(settings) + QUIZ[1:]), *question_lines)


def make_tree(root: Path, files: dict[str, str | bytes | None]) -> Path:
    shutil.copytree(GOOD, root, dirs_exist_ok=True)
    for relative, content in files.items():
        target = root / relative
        if content is None:
            target.unlink()
        elif isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return root


def tree_problems(root: Path) -> list[Problem]:
    problems = check_tree(root / M, root / Q, root / P)
    return [Problem(str(Path(p.path).relative_to(root)), p.line, p.message, p.severity)
            for p in problems]


@dataclass
class Case:
    id: str
    files: dict[str, str | bytes | None]
    #: (path, line, text in the message), one per expected problem
    expected: list[tuple[str, int, str]]
    severity: str = "error"


CASES = [
    # --- modules ---
    Case("bad-yaml-front-matter", {f"{M}/case.md": text("---", "title: A", "  category: x", "---")},
         [(f"{M}/case.md", 3, "YAML syntax error")]),
    Case("missing-front-matter", {f"{M}/case.md": text("# Case", "", "Text")},
         [(f"{M}/case.md", 1, "missing front matter")]),
    Case("unclosed-front-matter", {f"{M}/case.md": text(*FRONT, "# Case")},
         [(f"{M}/case.md", 1, "front matter is not closed")]),
    Case("missing-required-field", {f"{M}/case.md": text(*FRONT[:3], FRONT[4], "---")},
         [(f"{M}/case.md", 2, "missing required field 'summary'")]),
    Case("unknown-front-matter-field", {f"{M}/case.md": module("author: Me")},
         [(f"{M}/case.md", 6, "unknown field 'author'")]),
    Case("misspelt-field-suggests", {f"{M}/case.md": module("prerequisite: [a]")},
         [(f"{M}/case.md", 6, "did you mean 'prerequisites'")]),
    Case("wrong-type", {f"{M}/case.md": text(*FRONT[:4], "estimated_minutes: fifteen", "---")},
         [(f"{M}/case.md", 5, "'estimated_minutes' must be a whole number")]),
    Case("out-of-range", {f"{M}/case.md": text(*FRONT[:4], "estimated_minutes: 601", "---")},
         [(f"{M}/case.md", 5, "between 1 and 600")]),
    Case("list-field-not-a-list", {f"{M}/case.md": module("tags: machines")},
         [(f"{M}/case.md", 6, "'tags' must be a list")]),
    Case("bad-language", {f"{M}/case.md": module("language: english")},
         [(f"{M}/case.md", 6, "two-letter code")]),
    Case("duplicate-key", {f"{M}/case.md": module("title: Again")},
         [(f"{M}/case.md", 6, "field 'title' appears twice (first on line 2)")]),
    Case("unknown-category",
         {f"{M}/case.md": text(FRONT[0], FRONT[1], "category: cooking", *FRONT[3:], "---")},
         [(f"{M}/case.md", 3, "unknown category 'cooking'")]),
    Case("bad-slug-file-name", {f"{M}/Case_Study.md": module()},
         [(f"{M}/Case_Study.md", 1, "'Case_Study' is not a valid slug")]),
    Case("slug-too-long", {f"{M}/{'a' * 81}.md": module()},
         [(f"{M}/{'a' * 81}.md", 1, "at most 80 characters")]),
    Case("same-slug-different-case", {f"{M}/Machine-Range.md": module()},
         [(f"{M}/Machine-Range.md", 1, "not a valid slug"),
          (f"{M}/Machine-Range.md", 1, "give the same slug"),
          (f"{M}/machine-range.md", 1, "Machine-Range.md give the same slug")]),
    Case("quiz-does-not-exist", {f"{M}/case.md": module("quiz: nope")},
         [(f"{M}/case.md", 6, "quiz 'nope' does not exist")]),
    Case("prerequisite-does-not-exist",
         {f"{M}/case.md": module("prerequisites:", "  - machine-range", "  - nope")},
         [(f"{M}/case.md", 8, "prerequisite 'nope' is not a module")]),
    Case("prerequisite-cycle",
         {f"{M}/company-introduction.md": module("prerequisites: [machine-range]")},
         [(f"{M}/company-introduction.md", 6,
           "prerequisite cycle: company-introduction -> machine-range -> company-introduction"),
          (f"{M}/machine-range.md", 11,
           "prerequisite cycle: machine-range -> company-introduction -> machine-range")]),
    Case("self-prerequisite", {f"{M}/case.md": module("prerequisites: [case]")},
         [(f"{M}/case.md", 6, "prerequisite cycle: case -> case")]),
    Case("broken-module-link",
         {f"{M}/case.md": module(body=("# Case", "", "See [pricing](pricing.md#lease)."))},
         [(f"{M}/case.md", 9, "link to module 'pricing'")]),
    Case("module-link-not-a-file-name",
         {f"{M}/case.md": module(body=("# Case", "[up](../machine-range.md)"))},
         [(f"{M}/case.md", 8, "by its file name only")]),
    Case("reference-link-to-missing-module",
         {f"{M}/case.md": module(body=("# Case", "[x][r]", "", "[r]: gone.md"))},
         [(f"{M}/case.md", 10, "link to module 'gone'")]),
    Case("image-outside-media",
         {f"{M}/case.md": module(body=("# Case", "", "![A machine](images/x.png)"))},
         [(f"{M}/case.md", 9, "outside media/")]),
    Case("image-from-other-site",
         {f"{M}/case.md": module(body=("# Case", "![A machine](https://cdn.example/x.png)"))},
         [(f"{M}/case.md", 8, "from another site")]),
    Case("image-missing-in-media",
         {f"{M}/case.md": module(body=("# Case", "![A machine](media/nope.png)"))},
         [(f"{M}/case.md", 8, "no file nope.png in")]),
    Case("image-not-an-image-type",
         {f"{M}/case.md": module(body=("# Case", "![A leaflet](media/leaflet.pdf)"))},
         [(f"{M}/case.md", 8, "not a PNG, JPEG, GIF, SVG or WebP")]),
    Case("image-without-alt",
         {f"{M}/case.md": module(body=("# Case", "", "", "![](media/bean-to-cup.svg)"))},
         [(f"{M}/case.md", 10, "has no alt text")]),
    Case("html-image-without-alt",
         {f"{M}/case.md": module(body=("# Case", '<img src="media/bean-to-cup.svg">'))},
         [(f"{M}/case.md", 8, "has no alt text")]),
    Case("not-utf8", {f"{M}/case.md": module().encode() + b"caf\xe9\n"},
         [(f"{M}/case.md", 8, "not valid UTF-8")]),
    # --- quizzes ---
    Case("bad-yaml-quiz", {f"{Q}/case.yaml": text("title: Case", "questions:", "\t- id: q1")},
         [(f"{Q}/case.yaml", 3, "YAML syntax error")]),
    Case("quiz-not-a-mapping", {f"{Q}/case.yaml": text("- title: Case")},
         [(f"{Q}/case.yaml", 1, "quiz must be a mapping")]),
    Case("quiz-missing-title", {f"{Q}/case.yaml": text(*QUIZ[1:])},
         [(f"{Q}/case.yaml", 1, "missing required field 'title'")]),
    Case("quiz-no-questions", {f"{Q}/case.yaml": text("title: Case", "questions: []")},
         [(f"{Q}/case.yaml", 2, "the quiz has no questions")]),
    Case("unknown-quiz-field", {f"{Q}/case.yaml": quiz("pass_mark: 80")},
         [(f"{Q}/case.yaml", 10, "unknown field 'pass_mark' in the quiz")]),
    Case("unknown-setting", {f"{Q}/case.yaml": quiz(settings=("settings:", "  passmark: 80"))},
         [(f"{Q}/case.yaml", 3, "unknown field 'passmark' in settings (did you mean "
                                "'pass_mark'?)")]),
    Case("unknown-question-field", {f"{Q}/case.yaml": quiz("    answer: true")},
         [(f"{Q}/case.yaml", 10, "unknown field 'answer' in a single_choice question")]),
    Case("unknown-option-field", {f"{Q}/case.yaml": quiz("        weight: 50")},
         [(f"{Q}/case.yaml", 10, "unknown field 'weight' in a single_choice option")]),
    Case("bad-setting-choice",
         {f"{Q}/case.yaml": quiz(settings=("settings:", "  grading_method: best"))},
         [(f"{Q}/case.yaml", 3, "must be one of highest, last, first, average")]),
    Case("bad-setting-type",
         {f"{Q}/case.yaml": quiz(settings=("settings:", "  shuffle_questions: sometimes"))},
         [(f"{Q}/case.yaml", 3, "must be true or false")]),
    Case("max-attempts-zero", {f"{Q}/case.yaml": quiz(settings=("settings:", "  max_attempts: 0"))},
         [(f"{Q}/case.yaml", 3, "must be unlimited or a whole number >= 1")]),
    Case("pass-mark-out-of-range",
         {f"{Q}/case.yaml": quiz(settings=("settings:", "  pass_mark: 120"))},
         [(f"{Q}/case.yaml", 3, "'pass_mark' must be between 0 and 100")]),
    Case("draw-more-than-questions", {f"{Q}/case.yaml": quiz(settings=("settings:", "  draw: 2"))},
         [(f"{Q}/case.yaml", 3, "draw is 2 but the quiz has only 1 question")]),
    Case("duplicate-question-id",
         {f"{Q}/case.yaml": text(*QUIZ, *QUIZ[2:])},
         [(f"{Q}/case.yaml", 10, "duplicate question id 'q1' (first used on line 3)")]),
    Case("bad-question-id", {f"{Q}/case.yaml": text(*QUIZ[:2], "  - id: Q 1", *QUIZ[3:])},
         [(f"{Q}/case.yaml", 3, "question id 'Q 1' may only use")]),
    Case("unknown-question-type",
         {f"{Q}/case.yaml": text(*QUIZ[:3], "    type: essay", *QUIZ[4:])},
         [(f"{Q}/case.yaml", 4, "'type' must be one of")]),
    Case("no-points", {f"{Q}/case.yaml": quiz("    points: 0")},
         [(f"{Q}/case.yaml", 10, "'points' must be greater than 0")]),
    Case("single-choice-no-correct", {f"{Q}/case.yaml": text(*QUIZ[:7], *QUIZ[8:])},
         [(f"{Q}/case.yaml", 6, "no option is marked correct: true")]),
    Case("single-choice-two-correct", {f"{Q}/case.yaml": quiz("        correct: true")},
         [(f"{Q}/case.yaml", 9, "exactly one correct option, but 2 are marked")]),
    Case("single-choice-one-option", {f"{Q}/case.yaml": text(*QUIZ[:8])},
         [(f"{Q}/case.yaml", 6, "needs at least 2 options")]),
    Case("multiple-response-no-correct",
         {f"{Q}/case.yaml": text(*QUIZ[:3], "    type: multiple_response", *QUIZ[4:7],
                                 "        correct: false", QUIZ[8])},
         [(f"{Q}/case.yaml", 6, "no option is correct")]),
    Case("multiple-response-mixes-weights",
         {f"{Q}/case.yaml": text(*QUIZ[:3], "    type: multiple_response", *QUIZ[4:],
                                 "        weight: 50")},
         [(f"{Q}/case.yaml", 6, "either every option has a weight or none has")]),
    Case("true-false-answer-not-boolean",
         {f"{Q}/case.yaml": text(*QUIZ[:3], "    type: true_false", QUIZ[4], "    answer: maybe")},
         [(f"{Q}/case.yaml", 6, "'answer' must be true or false")]),
    Case("numeric-min-greater-than-max",
         {f"{Q}/case.yaml": text(*QUIZ[:3], "    type: numeric", QUIZ[4], "    answers:",
                                 "      - value: 5", "      - min: 9", "        max: 1",
                                 "        weight: 50")},
         [(f"{Q}/case.yaml", 8, "min 9 is greater than max 1")]),
    Case("numeric-negative-tolerance",
         {f"{Q}/case.yaml": text(*QUIZ[:3], "    type: numeric", QUIZ[4], "    answers:",
                                 "      - value: 5", "        tolerance: -1")},
         [(f"{Q}/case.yaml", 8, "'tolerance' must be at least 0")]),
    Case("numeric-no-full-answer",
         {f"{Q}/case.yaml": text(*QUIZ[:3], "    type: numeric", QUIZ[4], "    answers:",
                                 "      - value: 5", "        weight: 50")},
         [(f"{Q}/case.yaml", 6, "no answer has weight 100")]),
    Case("numeric-value-and-range",
         {f"{Q}/case.yaml": text(*QUIZ[:3], "    type: numeric", QUIZ[4], "    answers:",
                                 "      - value: 5", "        min: 1")},
         [(f"{Q}/case.yaml", 7, "either 'value'")]),
    Case("short-text-no-full-answer",
         {f"{Q}/case.yaml": text(*QUIZ[:3], "    type: short_text", QUIZ[4], "    answers:",
                                 "      - text: Brewline", "        weight: 80")},
         [(f"{Q}/case.yaml", 6, "no answer has weight 100")]),
    Case("matching-one-pair",
         {f"{Q}/case.yaml": text(*QUIZ[:3], "    type: matching", QUIZ[4], "    pairs:",
                                 "      - {left: a, right: b}")},
         [(f"{Q}/case.yaml", 6, "needs at least 2 pairs")]),
    Case("matching-duplicate-left",
         {f"{Q}/case.yaml": text(*QUIZ[:3], "    type: matching", QUIZ[4], "    pairs:",
                                 "      - {left: a, right: b}", "      - {left: a, right: c}")},
         [(f"{Q}/case.yaml", 8, "left item 'a' appears twice (first on line 7)")]),
    Case("same-slug-yaml-and-yml", {f"{Q}/machine-range.yml": quiz()},
         [(f"{Q}/machine-range.yaml", 1, "machine-range.yml give the same slug"),
          (f"{Q}/machine-range.yml", 1, "machine-range.yaml give the same slug")]),
    # --- learning paths ---
    Case("bad-yaml-path", {f"{P}/case.yaml": text("title: Case", "modules: [a, b")},
         [(f"{P}/case.yaml", 3, "YAML syntax error")]),
    Case("path-missing-modules", {f"{P}/case.yaml": text("title: Case")},
         [(f"{P}/case.yaml", 1, "missing required field 'modules'")]),
    Case("empty-path", {f"{P}/case.yaml": text("title: Case", "modules: []")},
         [(f"{P}/case.yaml", 2, "lists no modules")]),
    Case("path-names-missing-module",
         {f"{P}/case.yaml": text("title: Case", "modules:", "  - machine-range", "  - nope")},
         [(f"{P}/case.yaml", 4, "module 'nope' does not exist")]),
    Case("path-duplicate-module",
         {f"{P}/case.yaml": text("title: Case", "modules:", "  - machine-range",
                                 "  - module: machine-range")},
         [(f"{P}/case.yaml", 4, "already in the path (line 3)")]),
    Case("unknown-path-entry-field",
         {f"{P}/case.yaml": text("title: Case", "modules:", "  - module: machine-range",
                                 "    optional: true")},
         [(f"{P}/case.yaml", 4, "unknown field 'optional' in a learning path entry")]),
    Case("bad-certificate-validity",
         {f"{P}/case.yaml": text("title: Case", "certificate_validity_days: 0",
                                 "modules: [machine-range]")},
         [(f"{P}/case.yaml", 2, "at least 1")]),
]

WARNING_CASES = [
    Case("weights-below-100",
         {f"{Q}/case.yaml": text(*QUIZ[:3], "    type: multiple_response", *QUIZ[4:6],
                                 "      - {text: A, weight: 40}", "      - {text: B, weight: 0}")},
         [(f"{Q}/case.yaml", 6, "positive weights add up to 40 %")], "warning"),
    Case("path-order",
         {f"{P}/case.yaml": text("title: Case", "modules:", "  - machine-range",
                                 "  - company-introduction")},
         [(f"{P}/case.yaml", 3, "comes before its prerequisite 'company-introduction'")],
         "warning"),
    Case("duplicate-prerequisite",
         {f"{M}/case.md": module("prerequisites: [machine-range, machine-range]")},
         [(f"{M}/case.md", 6, "listed twice")], "warning"),
    Case("missing-anchor",
         {f"{M}/case.md": module(body=("# Case", "[history](company-introduction.md#histroy)"))},
         [(f"{M}/case.md", 8, "has no heading with anchor 'histroy'")], "warning"),
    Case("ignored-file", {f"{Q}/notes.txt": "notes"},
         [(f"{Q}/notes.txt", 0, "not a quiz file")], "warning"),
    Case("empty-body", {f"{M}/case.md": module(body=())},
         [(f"{M}/case.md", 6, "no text after the front matter")], "warning"),
]


def assert_reported(problems: list[Problem], case: Case) -> None:
    expected = case.expected
    assert all(p.severity == case.severity for p in problems)
    assert sorted((p.path, p.line) for p in problems) == sorted((e[0], e[1]) for e in expected), \
        "\n".join(map(str, problems))
    for path, line, fragment in expected:
        messages = [p.message for p in problems if (p.path, p.line) == (path, line)]
        assert any(fragment in m for m in messages), (fragment, messages)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_each_error_is_reported_at_its_line(case: Case, tmp_path: Path) -> None:
    root = make_tree(tmp_path, case.files)
    assert_reported([p for p in tree_problems(root) if p.is_error], case)


@pytest.mark.parametrize("case", WARNING_CASES, ids=lambda c: c.id)
def test_each_warning_is_reported_at_its_line(case: Case, tmp_path: Path) -> None:
    root = make_tree(tmp_path, case.files)
    problems = tree_problems(root)
    assert_reported(problems, case)


def test_good_tree_has_no_problems() -> None:
    assert check_tree(GOOD / M, GOOD / Q, GOOD / P) == []


def test_missing_folder_is_an_error_for_the_folder(tmp_path: Path) -> None:
    root = make_tree(tmp_path, {})
    shutil.rmtree(root / P)
    assert [(p.path, p.line, p.is_error) for p in tree_problems(root)] == [(P, 0, True)]


def test_problems_are_sorted_by_path_then_line(tmp_path: Path) -> None:
    root = make_tree(tmp_path, {f"{M}/b.md": module("quiz: x", "author: y"),
                                f"{M}/a.md": module("tags: z")})
    problems = tree_problems(root)
    assert [(p.path, p.line) for p in problems] == sorted((p.path, p.line) for p in problems)
    assert str(problems[0]) == f"{M}/a.md:6: 'tags' must be a list"


def test_configured_categories_are_accepted(tmp_path: Path) -> None:
    root = make_tree(tmp_path, {f"{M}/case.md": text(*FRONT[:2], "category: service",
                                                     *FRONT[3:], "---", "# Case")})
    categories = ("product-knowledge", "customer-demographics", "service")
    assert check_tree(root / M, root / Q, root / P, categories) == []


# --- checking one unsaved text (the browser editor) -------------------------------------------

CONTEXT = Context(
    module_slugs=frozenset({"company-introduction", "machine-range"}),
    quiz_slugs=frozenset({"machine-range"}),
    media_files=frozenset({"bean-to-cup.svg"}),
    prerequisites={"machine-range": ("company-introduction",), "company-introduction": ()},
)


def test_check_module_text_uses_the_context() -> None:
    source = module("prerequisites: [machine-range]", "quiz: machine-range",
                    body=("## Own heading", "![Front view](media/bean-to-cup.svg)",
                          "[self](new.md#own-heading) [other](machine-range.md#anything)"))
    assert check_module_text("new", source, CONTEXT) == []
    broken = source.replace("#own-heading", "#gone")
    assert [(p.line, p.severity) for p in check_module_text("new", broken, CONTEXT)] == [
        (11, "warning")]
    problems = check_module_text("company-introduction", module("prerequisites: [machine-range]"),
                                 CONTEXT)
    assert [str(p) for p in problems] == [
        f"{M}/company-introduction.md:6: prerequisite cycle: company-introduction -> "
        "machine-range -> company-introduction"]


def test_check_module_text_reports_missing_media_and_bad_slug() -> None:
    source = module(body=("![Front view](media/other.png)",))
    problems = check_module_text("Bad", source, CONTEXT, path="editor/Bad.md")
    assert [(p.path, p.line) for p in problems] == [("editor/Bad.md", 1), ("editor/Bad.md", 7)]


def test_check_quiz_text_and_check_path_text() -> None:
    assert check_quiz_text("case", quiz(), CONTEXT) == []
    assert [p.line for p in check_quiz_text("case", quiz("    oops: 1"), CONTEXT)] == [10]
    path_text = text("title: T", "modules: [company-introduction, nope]")
    assert [(p.path, p.line) for p in check_path_text("t", path_text, CONTEXT)] == [
        (f"{P}/t.yaml", 2)]


def test_tree_context_describes_the_files_on_disk() -> None:
    context = tree_context(GOOD / M, GOOD / Q, GOOD / P)
    assert context.module_slugs == CONTEXT.module_slugs
    assert context.quiz_slugs == CONTEXT.quiz_slugs
    assert context.path_slugs == {"onboarding"}
    assert context.media_files == CONTEXT.media_files
    assert dict(context.prerequisites) == CONTEXT.prerequisites
    assert "history" in context.anchors["company-introduction"]


def test_module_doc_lines_point_into_the_file() -> None:
    doc = parse_module(module("quiz: machine-range"), "m.md").doc
    assert doc is not None and doc.line_of("quiz") == 6 and doc.body_line == 8
