"""The complete examples in docs/authoring.md are real, valid content.

Each example is a fenced block whose info string names its file, e.g.
```` ```yaml title="quizzes/<slug>.yaml" ````. The examples are written into a fresh content tree
and must pass ``lms content check`` with no error and no warning, and together use every field,
setting and question type the format has, so the documentation cannot drift from the parser.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from lms.content.bodyscan import scan_body
from lms.content.checkcmd import ContentDirs, run_check
from lms.content.documents import (
    QUESTION_TYPES,
    Matching,
    ModuleDoc,
    MultipleResponse,
    Numeric,
    PathDoc,
    QuizDoc,
    ShortText,
    TrueFalse,
)
from lms.content.links import media_name, module_link
from lms.content.parsing import (
    MODULE_FIELDS,
    PATH_ENTRY_FIELDS,
    PATH_FIELDS,
    parse_module,
    parse_path,
    parse_quiz,
)
from lms.content.quizparsing import (
    CHOICE_FIELDS,
    COMMON_QUESTION_FIELDS,
    NUMERIC_FIELDS,
    PAIR_FIELDS,
    QUIZ_FIELDS,
    SETTINGS_FIELDS,
    TEXT_ANSWER_FIELDS,
    TYPE_FIELDS,
)
from lms.content.rendering import render_markdown
from tests.conftest import REPO

DOC = REPO / "docs" / "authoring.md"
REPO_MODULES = REPO / "content" / "modules"
EXAMPLE = re.compile(r'^```(?P<lang>[a-z]+) title="(?P<path>[^"]+)"\n(?P<text>.*?)^```[ \t]*$',
                     re.MULTILINE | re.DOTALL)
FOLDERS = {"module": ("content/modules/", ".md", "markdown"),
           "quiz": ("quizzes/", ".yaml", "yaml"),
           "path": ("content/paths/", ".yaml", "yaml")}
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


def doc_examples() -> dict[str, str]:
    """File path (relative to the project) -> text, for every titled example in the docs."""
    found: dict[str, str] = {}
    for match in EXAMPLE.finditer(DOC.read_text(encoding="utf-8")):
        assert match["path"] not in found, f"{match['path']} is shown twice in {DOC.name}"
        found[match["path"]] = match["text"]
    return found


def example_of(kind: str) -> tuple[str, str]:
    """(slug, text) of the one example of ``kind`` (module, quiz or path)."""
    folder, suffix, _ = FOLDERS[kind]
    [(path, text)] = [(p, t) for p, t in doc_examples().items()
                      if p.startswith(folder) and "/" not in p.removeprefix(folder)]
    return Path(path).name.removesuffix(suffix), text


def module_doc() -> ModuleDoc:
    slug, text = example_of("module")
    parsed = parse_module(text, f"content/modules/{slug}.md")
    assert parsed.ok, parsed.problems
    return parsed.doc


def quiz_doc() -> QuizDoc:
    slug, text = example_of("quiz")
    parsed = parse_quiz(text, f"quizzes/{slug}.yaml")
    assert parsed.ok, parsed.problems
    return parsed.doc


def path_doc() -> PathDoc:
    slug, text = example_of("path")
    parsed = parse_path(text, f"content/paths/{slug}.yaml")
    assert parsed.ok, parsed.problems
    return parsed.doc


def linked_modules(doc: ModuleDoc) -> list[tuple[str, str | None]]:
    """(slug, anchor) of every link to a module in the module's body."""
    links = [module_link(ref.target) for ref in scan_body(doc.body) if ref.kind == "link"]
    return [(link.slug, link.anchor) for link in links if link is not None]


def stub_of_repository_module(slug: str) -> str:
    """A valid stand-in for a real module the examples refer to: its front matter's required
    fields and its headings (so links to its anchors are checked), nothing that refers further."""
    source = REPO_MODULES / f"{slug}.md"
    assert source.is_file(), f"the examples refer to module '{slug}', which does not exist"
    real = parse_module(source.read_text(encoding="utf-8"), str(source)).doc
    assert real is not None
    front = yaml.safe_dump({"title": real.title, "category": real.category,
                            "summary": real.summary,
                            "estimated_minutes": real.estimated_minutes},
                           allow_unicode=True, sort_keys=False)
    headings, fence = [], None
    for line in real.body.split("\n"):
        opened = _FENCE.match(line)
        if fence is not None:
            fence = None if opened and opened.group(1)[0] == fence[0] else fence
        elif opened:
            fence = opened.group(1)
        elif line.startswith("#"):
            headings.append(line)
    return f"---\n{front}---\n" + "\n\n".join(headings) + "\n"


@pytest.fixture
def example_tree(tmp_path: Path) -> Path:
    """The examples as files in a project folder, with the repository's media folder and a stub
    for each real module they name that is not itself an example."""
    root = tmp_path / "project"
    for relative, text in doc_examples().items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    for folder in ("content/modules", "quizzes", "content/paths"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO_MODULES / "media", root / "content" / "modules" / "media")

    module, path = module_doc(), path_doc()
    named = {*module.prerequisites, *(slug for slug, _ in linked_modules(module)),
             *(entry.module for entry in path.modules)}
    for slug in sorted(named - {module.slug}):
        (root / "content" / "modules" / f"{slug}.md").write_text(
            stub_of_repository_module(slug), encoding="utf-8")
    return root


# The examples as a whole -----------------------------------------------------------------------

def test_the_docs_show_one_complete_example_of_each_format() -> None:
    examples = doc_examples()
    assert len(examples) == 3, sorted(examples)
    for kind, (folder, suffix, language) in FOLDERS.items():
        paths = [p for p in examples if p.startswith(folder) and p.endswith(suffix)
                 and "/" not in p.removeprefix(folder)]
        assert len(paths) == 1, f"one {kind} example expected, found {paths}"
        [path] = paths
        assert re.search(rf'^```{language} title="{re.escape(path)}"$', DOC.read_text(
            encoding="utf-8"), re.MULTILINE), f"{path} should be a ```{language} block"


def test_the_examples_pass_the_content_check_without_errors_or_warnings(
        example_tree: Path) -> None:
    report = run_check(ContentDirs.under(example_tree), relative_to=example_tree)

    assert [str(p) for p in report.problems] == []
    assert (report.errors, report.warnings) == (0, 0)
    stubs = len(list((example_tree / "content" / "modules").glob("*.md"))) - 1
    assert report.files == 3 + stubs


def test_the_examples_refer_to_each_other() -> None:
    module, quiz, path = module_doc(), quiz_doc(), path_doc()
    assert module.quiz == quiz.slug
    assert module.slug in {entry.module for entry in path.modules}


# Each example uses everything its format has ------------------------------------------------------

def test_the_module_example_uses_every_front_matter_field_and_body_feature() -> None:
    doc = module_doc()
    assert set(doc.lines) == set(MODULE_FIELDS)
    assert doc.objectives and doc.tags and doc.prerequisites

    rendered = render_markdown(doc.body, module_url=lambda slug, anchor: f"/m/{slug}#{anchor}",
                               media_url=lambda name: f"/media/{name}")
    html = rendered.html
    assert {entry.level for entry in rendered.toc} == {2, 3}
    assert re.search(r"^#{2,3} .*\{#[a-z0-9-]+\}$", doc.body, re.MULTILINE), "no fixed anchor"
    assert "<table>" in html and "<th" in html
    assert re.search(r"<pre><code[^>]*>", html)
    for kind in ("note", "warning"):
        assert f'<div class="admonition {kind}">' in html, f"no {kind} admonition"
    images = [ref for ref in scan_body(doc.body) if ref.kind == "image"]
    assert images and all(ref.alt for ref in images)
    for ref in images:
        assert (REPO_MODULES / "media" / media_name(ref.target)).is_file()
        assert f'src="/media/{media_name(ref.target)}"' in html
    others = [(slug, anchor) for slug, anchor in linked_modules(doc) if slug != doc.slug]
    assert others, "no link to another module"
    assert any(anchor for _, anchor in others), "no link to a heading of another module"
    assert all(f'href="/m/{slug}#' in html for slug, _ in others)


def test_the_quiz_example_uses_every_setting_field_and_question_type() -> None:
    doc = quiz_doc()
    assert set(doc.lines) == set(QUIZ_FIELDS)
    assert set(doc.settings.lines) == set(SETTINGS_FIELDS)
    assert doc.settings.draw is not None and doc.settings.draw < len(doc.questions)
    assert {q.type for q in doc.questions} == set(QUESTION_TYPES)

    def of(cls: type) -> list:
        return [q for q in doc.questions if isinstance(q, cls)]

    multiple = of(MultipleResponse)
    assert any(not q.weighted for q in multiple), "no multiple_response with correct flags"
    assert any(q.weighted and any(o.weight < 0 for o in q.options) for q in multiple), \
        "no multiple_response with weights (including a negative one)"
    assert any(q.feedback_true and q.feedback_false for q in of(TrueFalse))
    numeric_answers = [a for q in of(Numeric) for a in q.answers]
    assert any(not a.is_range and a.tolerance > 0 for a in numeric_answers)
    assert any(a.is_range for a in numeric_answers)
    assert any(a.weight < 100 for a in numeric_answers), "no partial credit"
    assert any(len(q.answers) >= 2 for q in of(ShortText))
    assert any(len(q.pairs) >= 2 and q.distractors for q in of(Matching))

    # Every field of every question type, option and answer appears at least once.
    question_fields = {name for q in doc.questions for name in q.lines}
    assert question_fields >= set(COMMON_QUESTION_FIELDS)
    for qtype, fields in TYPE_FIELDS.items():
        used = {name for q in doc.questions if q.type == qtype for name in q.lines}
        assert used >= set(fields), f"{qtype}: {set(fields) - used} not shown"
    item_fields = [
        (CHOICE_FIELDS["multiple_response"], [o for q in multiple for o in q.options]),
        (NUMERIC_FIELDS, numeric_answers),
        (TEXT_ANSWER_FIELDS, [a for q in of(ShortText) for a in q.answers]),
        (PAIR_FIELDS, [p for q in of(Matching) for p in q.pairs]),
    ]
    for fields, items in item_fields:
        used = {name for item in items for name in item.lines}
        assert used >= set(fields), f"{set(fields) - used} not shown"
    assert any(not a.lines for q in of(ShortText) for a in q.answers), \
        "no short_text answer written as a plain string"


def test_the_path_example_has_a_required_and_an_optional_module() -> None:
    doc = path_doc()
    assert set(doc.lines) == set(PATH_FIELDS)
    assert {entry.required for entry in doc.modules} == {True, False}
    assert {name for entry in doc.modules for name in entry.lines} == set(PATH_ENTRY_FIELDS)
    assert any(not entry.lines for entry in doc.modules), "no module given as a plain slug"
