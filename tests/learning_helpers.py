"""A small, fully known module and quiz for the learning tests, written into a content copy."""

from __future__ import annotations

from pathlib import Path

from lms.content.store import sync_content
from lms.extensions import db

MODULE = """---
title: Practice module
category: product-knowledge
summary: A short module for the tests.
estimated_minutes: 5
quiz: practice-quiz
---
# Practice module

## The facts

The Office B60 makes 60 cups a day.
"""

FOLLOW_UP = """---
title: Follow-up module
category: product-knowledge
summary: Needs the practice module first.
estimated_minutes: 5
prerequisites: [practice-module]
---
# Follow-up

## More facts

No quiz here: reading completes it.
"""

PATH = """title: Practice path
modules:
  - practice-module
  - follow-up-module
"""


def quiz_yaml(**settings: object) -> str:
    lines = "".join(f"  {key}: {value}\n" for key, value in settings.items())
    return f"""title: Practice quiz
settings:
  pass_mark: 60
{lines}questions:
  - id: cups
    type: numeric
    prompt: How many cups a day does the Office B60 make?
    answers:
      - value: 60
        tolerance: 0
    unit: cups
  - id: family
    type: single_choice
    prompt: Which family is the B60 in?
    options:
      - text: Office
        correct: true
      - text: Compact
      - text: Pro
  - id: telemetry
    type: true_false
    prompt: BrewLink is standard on the B60.
    answer: false
  - id: name
    type: short_text
    prompt: Name the company.
    answers: [Brewline]
  - id: pairs
    type: matching
    prompt: Match the models.
    pairs:
      - left: C1
        right: "25"
      - left: B60
        right: "60"
"""


RIGHT = {"cups": "60", "family": 0, "telemetry": "false", "name": " brewline ",
         "pairs": ["25", "60"]}


def form_data(answers: dict[str, object]) -> dict[str, object]:
    """Answers as the quiz form sends them."""
    data: dict[str, object] = {"shown": list(RIGHT)}
    for qid, value in answers.items():
        if isinstance(value, list):
            for i, choice in enumerate(value):
                data[f"q-{qid}-{i}"] = choice
        else:
            data[f"q-{qid}"] = str(value)
    return data


def write_practice(root: Path, **settings: object) -> None:
    modules = root / "content" / "modules"
    (modules / "practice-module.md").write_text(MODULE)
    (modules / "follow-up-module.md").write_text(FOLLOW_UP)
    (root / "quizzes" / "practice-quiz.yaml").write_text(quiz_yaml(**settings))
    (root / "content" / "paths" / "practice-path.yaml").write_text(PATH)


def sync(root: Path) -> None:
    report = sync_content(root / "content" / "modules", root / "quizzes",
                          root / "content" / "paths",
                          ("product-knowledge", "customer-demographics"))
    assert not report.skipped, report.skipped
    db.session.commit()
