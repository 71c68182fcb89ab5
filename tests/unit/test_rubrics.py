"""Coaching rubrics: parsing and checking (line-numbered messages), translations, ``lms content
check`` over a rubrics folder, and the pure rules of ratings and the skill history."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from lms.coaching.history import RatingRow, SkillLine, build_history, sparkline
from lms.coaching.observations import rated_skills
from lms.coaching.rubrics import LevelView, RubricView, SkillView
from lms.content.checkcmd import content_cli
from lms.content.rubrics import check_rubrics, parse_rubric, read_rubrics
from lms.errors import DomainError

REPO = Path(__file__).resolve().parent.parent.parent
GOOD = Path(__file__).parent.parent / "fixtures" / "content" / "good"

RUBRIC = """\
title: Calls
scale:
  - level: 1
    label: Not yet
  - level: 2
    label: Yes
skills:
  - id: discovery
    name: Discovery questions
  - id: closing
    name: Closing
"""


def messages(text: str) -> list[str]:
    return [f"{p.line}: {p.message}" for p in parse_rubric(text, "calls.yaml").problems]


def test_a_good_rubric_parses() -> None:
    parsed = parse_rubric(RUBRIC, "calls.yaml")
    assert parsed.ok
    doc = parsed.doc
    assert (doc.slug, doc.title, doc.language, doc.low, doc.high) == ("calls", "Calls", "en", 1, 2)
    assert [s.id for s in doc.skills] == ["discovery", "closing"]


def test_the_shipped_rubric_and_its_translation_are_clean() -> None:
    found = read_rubrics(REPO / "content" / "rubrics")
    assert found.problems == []
    (rubric,) = found.files
    assert rubric.doc.high == 4 and len(rubric.doc.skills) == 5
    assert rubric.translations["nl"][1].skills[0].name == "Vragen naar de behoefte"


@pytest.mark.parametrize(("text", "expected"), [
    (RUBRIC + "colour: red\n", ["12: unknown field 'colour' in the rubric"]),
    (RUBRIC.replace("title: Calls\n", ""), ["1: rubric: missing required field 'title'"]),
    (RUBRIC.replace("  - id: closing", "  - id: discovery"),
     ["10: skill id 'discovery' appears twice (first on line 8)"]),
    (RUBRIC.replace("    label: Yes\n", ""), ["5: a level in 'scale': missing required field "
                                             "'label'"]),
    (RUBRIC.replace("  - level: 2\n", "  - level: 3\n"),
     ["5: scale levels must go up by one: level 3 follows level 1"]),
    (RUBRIC.replace("  - level: 2\n    label: Yes\n", ""),
     ["2: the scale must have from 2 to 10 levels, not 1"]),
    (RUBRIC.replace("    name: Closing\n", "    name: Closing\n    weight: 2\n"),
     ["12: unknown field 'weight' in a skill"]),
    (RUBRIC.replace("id: closing", "id: Closing Deals"),
     ["10: skill id 'Closing Deals': use lower-case letters, digits, hyphens and underscores "
      "(at most 64)"]),
    (RUBRIC.split("skills:")[0] + "skills: []\n", ["7: the rubric lists no skills"]),
    ("title: [", ["1: YAML syntax error: while parsing a flow node: expected the node content, "
                  "but found '<stream end>'"]),
])
def test_bad_rubrics_get_clear_messages(text: str, expected: list[str]) -> None:
    got = messages(text)
    assert got == expected
    assert not parse_rubric(text, "calls.yaml").ok


def test_a_translation_must_keep_the_levels_and_skill_ids(tmp_path: Path) -> None:
    (tmp_path / "calls.yaml").write_text(RUBRIC, encoding="utf-8")
    (tmp_path / "calls.nl.yaml").write_text(
        RUBRIC.replace("language", "x").replace("title: Calls", "title: Gesprekken\nlanguage: nl")
        .replace("id: closing", "id: afsluiten"), encoding="utf-8")
    (tmp_path / "other.nl.yaml").write_text(RUBRIC + "language: nl\n", encoding="utf-8")
    problems, files = check_rubrics(tmp_path)
    assert files == 3
    assert [(Path(p.path).name, p.line, p.message) for p in problems] == [
        ("calls.nl.yaml", 8, "the skills must have the original's ids in the same order "
                             "(discovery, closing)"),
        ("other.nl.yaml", 1, "a translation without an original: add other.yaml"),
    ]
    assert read_rubrics(tmp_path).files[0].translations == {}


def test_content_check_reports_a_bad_rubric(tmp_path: Path) -> None:
    shutil.copytree(GOOD, tmp_path, dirs_exist_ok=True)
    rubrics = tmp_path / "content" / "rubrics"
    rubrics.mkdir()
    (rubrics / "calls.yaml").write_text(RUBRIC.replace("  - id: closing", "  - id: discovery"),
                                        encoding="utf-8")
    result = CliRunner().invoke(content_cli, ["check", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "content/rubrics/calls.yaml:10: skill id 'discovery' appears twice (first on line 8)",
        "5 files checked: 1 error, 0 warnings",
    ]
    (rubrics / "calls.yaml").write_text(RUBRIC, encoding="utf-8")
    result = CliRunner().invoke(content_cli, ["check", str(tmp_path)])
    assert result.exit_code == 0, result.output


VIEW = RubricView(1, "calls", 1, "Calls", "", (LevelView(1, "Not yet", ""),
                                               LevelView(2, "Yes", "")),
                  (SkillView("discovery", "Discovery", ""), SkillView("closing", "Closing", "")))


def test_ratings_are_checked_against_the_rubric() -> None:
    assert rated_skills(VIEW, {"closing": 2, "discovery": None}) == [("closing", 2)]
    assert rated_skills(VIEW, {"closing": 1, "discovery": 2}) == [("discovery", 2),
                                                                   ("closing", 1)]
    for ratings, message in (({}, "Rate at least one skill you observed."),
                             ({"discovery": None}, "Rate at least one skill you observed."),
                             ({"discovery": 3}, "Rate “Discovery” from 1 to 2."),
                             ({"empathy": 1}, "empathy is not a skill of this rubric.")):
        with pytest.raises(DomainError) as caught:
            rated_skills(VIEW, ratings)
        assert caught.value.message == message


def row(obs: int, day: str, skill: str, rating: int, position: int = 0,
        name: str = "") -> RatingRow:
    return RatingRow(obs, date.fromisoformat(day), skill, name or skill.title(), position,
                     rating, 1, 4, 1)


def test_the_history_has_one_line_per_skill_over_the_observations() -> None:
    history = build_history([
        row(1, "2026-01-10", "discovery", 1, 0), row(1, "2026-01-10", "closing", 2, 3),
        row(2, "2026-02-10", "discovery", 3, 0),
        row(3, "2026-03-10", "closing", 4, 3, name="Closing deals"),
    ], names={"discovery": "Vragen"})
    assert [d for _, d in history.columns] == [date(2026, 1, 10), date(2026, 2, 10),
                                               date(2026, 3, 10)]
    assert [(s.skill_id, s.name, s.ratings) for s in history.skills] == [
        ("discovery", "Vragen", (1, 3, None)),
        ("closing", "Closing deals", (2, None, 4)),
    ]
    assert history.skills[1].latest == 4 and history.skills[1].points == [(0, 2), (2, 4)]
    assert not build_history([])


def test_the_sparkline_names_itself_and_plots_each_rating() -> None:
    line = SkillLine("closing", "Closing <b>", (2, None, 4), 1, 4)
    days = ((1, date(2026, 1, 10)), (2, date(2026, 2, 10)), (3, date(2026, 3, 10)))
    svg = str(sparkline(line, days, "s1"))
    assert 'role="img"' in svg and "Closing &lt;b&gt; over time, on a scale of 1 to 4" in svg
    assert svg.count("<circle") == 2 and "<polyline" in svg
    assert "10 Jan 2026: 2, 10 Mar 2026: 4" in svg


def test_the_documented_example_is_a_clean_rubric() -> None:
    doc = (REPO / "docs" / "authoring.md").read_text(encoding="utf-8")
    section = doc.split("## Coaching rubrics", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    parsed = parse_rubric(example, "content/rubrics/sales-conversations.yaml")
    assert parsed.ok and parsed.problems == ()
    assert [s.id for s in parsed.doc.skills] == ["discovery", "objections"]
