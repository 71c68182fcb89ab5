"""``lms content check DIR``: output format and exit status (no Flask app needed with DIR)."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from lms.content.checkcmd import ContentDirs, content_cli, run_check

GOOD = Path(__file__).parent.parent / "fixtures" / "content" / "good"


def test_good_tree_passes() -> None:
    result = CliRunner().invoke(content_cli, ["check", str(GOOD)])
    assert result.exit_code == 0, result.output
    assert result.output == "4 files checked: 0 errors, 0 warnings\n"


def test_problems_are_printed_relative_to_dir_and_exit_1(tmp_path: Path) -> None:
    shutil.copytree(GOOD, tmp_path, dirs_exist_ok=True)
    (tmp_path / "content/modules/case.md").write_text(
        "---\ntitle: T\ncategory: cooking\nsummary: S\nestimated_minutes: 5\n---\n# T\n",
        encoding="utf-8")
    (tmp_path / "quizzes/notes.txt").write_text("x", encoding="utf-8")
    result = CliRunner().invoke(content_cli, ["check", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "content/modules/case.md:3: unknown category 'cooking': use one of product-knowledge, "
        "customer-demographics",
        "quizzes/notes.txt: warning: not a quiz file (.yaml or .yml); ignored",
        "5 files checked: 1 error, 1 warning",
    ]


def test_warnings_alone_exit_0(tmp_path: Path) -> None:
    shutil.copytree(GOOD, tmp_path, dirs_exist_ok=True)
    (tmp_path / "quizzes/notes.txt").write_text("x", encoding="utf-8")
    result = CliRunner().invoke(content_cli, ["check", str(tmp_path)])
    assert result.exit_code == 0
    assert result.output.endswith("4 files checked: 0 errors, 1 warning\n")


def test_run_check_without_click() -> None:
    report = run_check(ContentDirs.under(GOOD), relative_to=GOOD)
    assert (report.files, report.errors, report.warnings) == (4, 0, 0)
