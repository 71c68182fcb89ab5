"""GIFT question banks move both ways through the `lms content` commands."""

from __future__ import annotations

from pathlib import Path

import yaml

from lms.content.gift import parse_gift

GIFT = Path(__file__).parent.parent / "fixtures" / "gift" / "sales-sample.gift.txt"


def test_import_check_sync_and_export_round_trip(runner, content_copy, tmp_path):
    result = runner.invoke(args=["content", "import-gift", str(GIFT), "--quiz", "moodle-bank",
                                 "--title", "Imported from Moodle"])
    assert result.exit_code == 0, result.output
    # Unsupported questions are named with their line numbers, not dropped silently.
    assert "essay questions are not supported" in result.output
    assert f"{GIFT}:" in result.output
    quiz_file = content_copy / "quizzes" / "moodle-bank.yaml"
    quiz = yaml.safe_load(quiz_file.read_text())
    assert quiz["title"] == "Imported from Moodle"
    types = {q["type"] for q in quiz["questions"]}
    assert types == {"single_choice", "multiple_response", "true_false", "numeric",
                     "short_text", "matching"}

    check = runner.invoke(args=["content", "check", str(content_copy)])
    assert check.exit_code == 0, check.output
    sync = runner.invoke(args=["content", "sync"])
    assert sync.exit_code == 0 and "quiz:moodle-bank" in sync.output

    out = tmp_path / "back.gift"
    export = runner.invoke(args=["content", "export-gift", "moodle-bank", "-o", str(out)])
    assert export.exit_code == 0, export.output
    again = parse_gift(out.read_text())
    assert not again.errors
    assert again.questions == quiz["questions"]


def test_import_refuses_to_overwrite_and_bad_slugs(runner, content_copy):
    result = runner.invoke(args=["content", "import-gift", str(GIFT), "--quiz",
                                 "pricing-and-packages"])
    assert result.exit_code == 1 and "already exists; use --force" in result.output
    result = runner.invoke(args=["content", "import-gift", str(GIFT), "--quiz", "Bad Slug"])
    assert result.exit_code == 1 and "not a valid slug" in result.output


def test_export_of_a_repository_quiz(runner, content_copy):
    result = runner.invoke(args=["content", "export-gift", "company-and-product-range"])
    assert result.exit_code == 0, result.output
    parsed = parse_gift(result.output)
    assert not parsed.errors and len(parsed.questions) == 11
    missing = runner.invoke(args=["content", "export-gift", "no-such-quiz"])
    assert missing.exit_code == 1 and "No quiz 'no-such-quiz'" in missing.output
