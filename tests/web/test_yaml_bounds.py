"""YAML that a person wrote cannot expand without bound, and messages quote it briefly.

Every place the product reads YAML from a person is tried with a "billion laughs" document:
import presets (page and command line), quizzes and paths (``lms content check`` and sync), and
a module's front matter in the trainer's editor. Each answers with a short, line-numbered
problem instead of building a page or a value of millions of items.
"""

from __future__ import annotations

import ast
import io
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from lms import safeyaml
from lms.content.checkcmd import content_cli
from lms.errors import DomainError
from lms.models import Role
from lms.sales.presets import load_preset_yaml
from tests.conftest import login, page_token
from tests.factories import make_user

LMS = Path(__file__).resolve().parents[2] / "lms"
GOOD = Path(__file__).resolve().parents[1] / "fixtures" / "content" / "good"


def bomb(levels: int = 7, indent: str = "") -> str:
    """Nested aliases: ``levels`` lines that expand to 9**levels strings."""
    lines = [f'{indent}l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, levels):
        refs = ",".join([f"*l{n - 1}"] * 9)
        lines.append(f"{indent}l{n}: &l{n} [{refs}]")
    return "\n".join(lines) + "\n"


# The loader itself ------------------------------------------------------------------------------

def test_nested_aliases_are_refused_with_the_line_where_the_budget_runs_out() -> None:
    with pytest.raises(safeyaml.YAMLExpansionError) as caught:
        safeyaml.load(bomb())
    assert "aliases (*name) would repeat more than 2,000 values" in str(caught.value)
    assert caught.value.problem_mark.line == 3  # l3 (0-based): 9**4 strings


def test_an_alias_to_a_value_containing_it_is_refused() -> None:
    for text in ("&a [*a]", "a: &a {b: *a}"):
        with pytest.raises(safeyaml.YAMLExpansionError, match="refers to a value that contains"):
            safeyaml.compose(text)


def test_ordinary_anchors_still_work() -> None:
    text = "defaults: &d {pass_mark: 70, attempts: 3}\na: *d\nb: *d\nc: [*d, *d]\n"
    assert safeyaml.load(text) == yaml.safe_load(text)
    # Just inside the budget passes; the 9**4 level (6,561) does not.
    assert len(safeyaml.load(bomb(levels=3))["l2"]) == 9


def test_no_module_reads_yaml_except_through_the_bounded_loader() -> None:
    """Enumerates every call that parses YAML text in the package."""
    parsers = {"safe_load", "load", "full_load", "unsafe_load", "compose", "compose_all",
               "load_all", "safe_load_all", "parse"}
    offenders = []
    for path in LMS.rglob("*.py"):
        if path.name == "safeyaml.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "yaml"
                    and node.func.attr in parsers):
                offenders.append(f"{path.relative_to(LMS)}:{node.lineno}")
    assert offenders == []


def test_no_message_quotes_a_value_without_cutting_it() -> None:
    """A placeholder between quotes in an f-string is a value quoted in full; every message
    must quote through ``safeyaml.quote``, which cuts it."""
    quoted = re.compile(r"""(?<![\w\\])'\{(?!quote\()[^{}]+\}'|![ra]\}""")
    offenders = []
    for path in LMS.rglob("*.py"):
        if path.name == "safeyaml.py":
            continue
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        # A repr is for developers, not a message.
        reprs = [range(f.lineno, (f.end_lineno or f.lineno) + 1) for f in ast.walk(tree)
                 if isinstance(f, ast.FunctionDef) and f.name == "__repr__"]
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr) and not any(node.lineno in r for r in reprs):
                source = ast.get_source_segment(text, node) or ""
                if quoted.search(source):
                    offenders.append(f"{path.relative_to(LMS)}:{node.lineno}: {source[:60]}")
    assert offenders == []


def test_quote_cuts_long_values() -> None:
    assert safeyaml.quote("EUR") == "'EUR'"
    assert safeyaml.quote("x" * 10_000) == "'" + "x" * 59 + "…'"


# Import presets ---------------------------------------------------------------------------------

def test_a_preset_of_nested_aliases_is_refused() -> None:
    text = "columns:\n  crm_id: Id\n" + bomb() + "stages:\n  Won: *l6\n"
    with pytest.raises(DomainError) as caught:
        load_preset_yaml(text, source="evil.yaml")
    assert "evil.yaml: not valid YAML" in caught.value.message
    assert "would repeat more than" in caught.value.message
    assert len(caught.value.message) < 400


def test_a_long_value_in_a_preset_is_quoted_short() -> None:
    text = "columns:\n  crm_id: Id\nstages:\n  Won: " + "w" * 50_000 + "\n"
    with pytest.raises(DomainError) as caught:
        load_preset_yaml(text, source="long.yaml")
    assert "must map to won, lost or open" in caught.value.message
    assert len(caught.value.message) < 200


def test_the_import_page_answers_a_preset_bomb_with_a_short_error(app) -> None:
    make_user(Role.MANAGER, email="boss@example.com")
    client = app.test_client()
    login(client, "boss@example.com")
    text = "columns:\n  crm_id: Id\n" + bomb(8) + "stages:\n  Won: *l7\n"
    form = {"csrf_token": page_token(client, "/manage/sales/import"), "preset": "custom",
            "file": (io.BytesIO(b"crm_id\nD1\n"), "deals.csv"),
            "preset_file": (io.BytesIO(text.encode()), "evil.yaml")}
    response = client.post("/manage/sales/import", data=form, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "would repeat more than 2,000 values" in page
    assert len(page) < 100_000


def test_the_import_command_refuses_a_preset_bomb(runner, tmp_path: Path) -> None:
    preset = tmp_path / "evil.yaml"
    preset.write_text("columns:\n  crm_id: Id\n" + bomb() + "stages:\n  Won: *l6\n")
    data = tmp_path / "deals.csv"
    data.write_text("crm_id\nD1\n")
    result = runner.invoke(args=["sales", "import", str(data), "--preset", str(preset)])
    assert result.exit_code == 1
    assert "would repeat more than 2,000 values" in result.output
    assert len(result.output) < 600


# Quizzes, paths and front matter ----------------------------------------------------------------

@pytest.mark.parametrize("relative, text", [
    ("quizzes/machine-range.yaml",
     "title: Machines\n" + bomb() + "questions: *l6\n"),
    ("content/paths/onboarding.yaml",
     "title: Onboarding\n" + bomb() + "modules: *l6\n"),
    ("content/modules/machine-range.md",
     "---\ntitle: Machines\n" + bomb() + "prerequisites: *l6\n---\n# Machines\n"),
])
def test_content_check_reports_an_alias_bomb_at_its_line(tmp_path: Path, relative: str,
                                                          text: str) -> None:
    shutil.copytree(GOOD, tmp_path, dirs_exist_ok=True)
    (tmp_path / relative).write_text(text, encoding="utf-8")
    result = CliRunner().invoke(content_cli, ["check", str(tmp_path)])
    assert result.exit_code == 1
    problem = next(line for line in result.output.splitlines() if line.startswith(relative))
    line = 1 + 4 + (1 if relative.endswith(".md") else 0)  # the 'l4' line of the bomb
    assert problem.startswith(f"{relative}:{line}: YAML aliases:"), result.output
    assert len(result.output) < 2_000


def test_the_editor_shows_a_front_matter_bomb_as_a_problem(app, runner, content_copy) -> None:
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    make_user(Role.TRAINER, email="t@example.com")
    client = app.test_client()
    login(client, "t@example.com")
    token = page_token(client, "/author/modules/pricing-and-packages/edit")
    text = "---\ntitle: Prices\n" + bomb(8) + "prerequisites: *l7\n---\n# Prices\n"
    response = client.post("/author/modules/pricing-and-packages/preview",
                           data={"text": text}, headers={"X-CSRFToken": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "would repeat more than 2,000 values" in page
    assert len(page) < 50_000
