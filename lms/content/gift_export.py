"""Write quizzes out: a quiz dict as Moodle GIFT, and imported questions as a quiz YAML file.

``quiz_to_gift`` writes text that ``parse_gift`` reads back into the same question dicts, with one
exception: a ``multiple_response`` question with ``correct`` flags has no GIFT form, so it is
written with the weights that score the same under our partial rule (each correct option
``100/C`` %, each incorrect one ``-100/W`` %) and reads back weighted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import yaml
from flask_babel import gettext as _

from lms.content.gift_parse import BLANK, FORMAT_MARKERS, WEIGHT_RE, tidy_number
from lms.safeyaml import quote

#: Every setting with its documented default (docs/authoring.md), written out so trainers see them.
DEFAULT_SETTINGS: dict[str, Any] = {
    "pass_mark": 70,
    "max_attempts": "unlimited",
    "cooldown_minutes": 0,
    "grading_method": "highest",
    "shuffle_questions": False,
    "shuffle_options": False,
    "draw": "all",
    "time_limit_minutes": "none",
    "reveal_answers": "after_submit",
    "multiple_response_scoring": "partial",
}
_SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_SPECIAL = str.maketrans({c: "\\" + c for c in "\\~=#{}:"} | {"\n": "\\n", "\r": ""})


class GiftExportError(ValueError):
    """A quiz holds something GIFT cannot express; the message names the question."""


def escape(text: Any) -> str:
    """Escape GIFT's special characters and line breaks so the text reads back unchanged."""
    return str(text).translate(_SPECIAL)


def _part(text: Any) -> str:
    """An escaped text part; a marker protects text that itself starts like a format marker."""
    escaped = escape(text)
    return "[markdown]" + escaped if escaped.startswith(FORMAT_MARKERS) else escaped


def _number(value: float) -> str:
    return repr(tidy_number(float(value)))


def _weight(value: float) -> str:
    # A GIFT weight has no exponent: Decimal writes the float's shortest digits out in full.
    return f"%{Decimal(_number(value)):f}%"


def _feedback(text: Any) -> str:
    return f"#{_part(text)}" if text else ""


def quiz_to_gift(quiz: Mapping[str, Any]) -> str:
    """GIFT text for a quiz dict in our YAML format (as ``yaml.safe_load`` returns it).

    Raises ``GiftExportError`` for text GIFT cannot carry (``->`` in a matching left item or a
    short answer) and for unknown question types.
    """
    blocks = []
    if quiz.get("title"):
        title = " ".join(str(quiz["title"]).split())
        blocks.append(f"// {title}\n// " + _("Exported from Verkoopklaar as Moodle GIFT."))
    category = None
    for question in quiz.get("questions") or []:
        if (question.get("category") or None) != category:
            category = question.get("category") or None
            # "$course$/top" alone is the course's top level: questions without a category.
            path = " ".join(str(category).split()) if category else ""
            blocks.append(f"$CATEGORY: $course$/top{'/' + path if path else ''}")
        blocks.append(_question(question))
    return "\n\n".join(blocks) + "\n"


def _question(question: Mapping[str, Any]) -> str:
    qid = str(question["id"])
    qtype = question.get("type")
    tokens = [_token("id", qid)] + [_token("tag", tag) for tag in question.get("tags") or []]
    if question.get("points", 1) != 1:
        tokens.append(_token("points", _number(question["points"])))
    if qtype == "numeric" and question.get("unit"):
        tokens.append(_token("unit", question["unit"]))
    if qtype not in _WRITERS:
        raise GiftExportError(_("question %(id)s: type %(type)s cannot be written as GIFT",
                                id=quote(qid), type=quote(qtype)))
    answers = _WRITERS[qtype](question)
    if question.get("explanation"):
        answers.append(f"####{_part(question['explanation'])}")
    # A numeric block opens with '#': "{#" on the first line, as Moodle writes it.
    opening = "{#\n" if qtype == "numeric" else "{\n"
    block = opening + "".join(f"\t{answer}\n" for answer in answers) + "}"
    prompt = str(question["prompt"])
    before, after = prompt, ""
    # Re-create Moodle's missing-word layout when the prompt holds one blank with text after it.
    if prompt.count(BLANK) == 1 and prompt.split(BLANK)[1].strip():
        before, after = prompt.split(BLANK)
    head = f"::{escape(question.get('title') or qid)}::[markdown]"
    return f"// {' '.join(tokens)}\n{head}{escape(before)}{block}{escape(after)}"


def _token(kind: str, value: Any) -> str:
    """A comment token such as ``[tag:…]``; ``\\]`` keeps a ``]`` inside the value."""
    value = str(value).replace("]", "\\]")
    return f"[{kind}:{value}]"


def _single_choice(question: Mapping[str, Any]) -> list[str]:
    lines = []
    for option in question["options"]:
        text = escape(option["text"])
        if option.get("correct"):
            lines.append(f"={_part(option['text'])}{_feedback(option.get('feedback'))}")
            continue
        # '~%50%x' would read as a weight: an explicit 0 weight keeps such text literal.
        weight = "%0%" if WEIGHT_RE.match(text) else ""
        lines.append(f"~{weight}{_part(option['text'])}{_feedback(option.get('feedback'))}")
    return lines


def _multiple_response(question: Mapping[str, Any]) -> list[str]:
    options = question["options"]
    if any(option.get("weight") is not None for option in options):
        weights = [float(option.get("weight") or 0) for option in options]
    else:
        right = sum(1 for option in options if option.get("correct")) or 1
        wrong = sum(1 for option in options if not option.get("correct")) or 1
        # Five decimals, as Moodle writes 100/3 (33.33333).
        weights = [round(100 / right if option.get("correct") else -100 / wrong, 5)
                   for option in options]
    return [f"~{_weight(weight)}{_part(option['text'])}{_feedback(option.get('feedback'))}"
            for option, weight in zip(options, weights, strict=True)]


def _true_false(question: Mapping[str, Any]) -> list[str]:
    answer = bool(question["answer"])
    # GIFT order: the feedback for the wrong choice first, then the one for the right choice.
    right = question.get("feedback_true" if answer else "feedback_false") or ""
    wrong = question.get("feedback_false" if answer else "feedback_true") or ""
    line = "TRUE" if answer else "FALSE"
    if wrong or right:
        line += f"#{_part(wrong)}" if wrong else "#"
    if right:
        line += f"#{_part(right)}"
    return [line]


def _arrow_free(question: Mapping[str, Any], text: Any, what: str) -> None:
    # GIFT cannot escape '->': the reader would split there or take the question for matching.
    if "->" in str(text):
        message = {
            "answer": _("question %(id)s: answer %(text)s contains '->', which GIFT cannot "
                        "express", id=quote(question["id"]), text=quote(text)),
            "feedback": _("question %(id)s: feedback %(text)s contains '->', which GIFT cannot "
                          "express", id=quote(question["id"]), text=quote(text)),
            "matching left item": _("question %(id)s: matching left item %(text)s contains "
                                    "'->', which GIFT cannot express",
                                    id=quote(question["id"]), text=quote(text)),
        }[what]
        raise GiftExportError(message)


def _short_text(question: Mapping[str, Any]) -> list[str]:
    lines = []
    for answer in question["answers"]:
        entry = answer if isinstance(answer, Mapping) else {"text": answer}
        text, weight = entry["text"], entry.get("weight", 100)
        _arrow_free(question, text, "answer")
        _arrow_free(question, entry.get("feedback") or "", "feedback")
        explicit = weight != 100 or WEIGHT_RE.match(escape(text))
        prefix = _weight(weight) if explicit else ""
        lines.append(f"={prefix}{_part(text)}{_feedback(entry.get('feedback'))}")
    return lines


def _numeric(question: Mapping[str, Any]) -> list[str]:
    lines = []
    for answer in question["answers"]:
        weight = answer.get("weight", 100)
        prefix = _weight(weight) if weight != 100 else ""
        if "min" in answer:
            spec = f"{_number(answer['min'])}..{_number(answer['max'])}"
        else:
            tolerance = answer.get("tolerance") or 0
            spec = _number(answer["value"]) + (f":{_number(tolerance)}" if tolerance else "")
        lines.append(f"={prefix}{spec}{_feedback(answer.get('feedback'))}")
    return lines


def _matching(question: Mapping[str, Any]) -> list[str]:
    lines = []
    for pair in question["pairs"]:
        _arrow_free(question, pair["left"], "matching left item")
        lines.append(f"={_part(pair['left'])} -> {escape(pair['right'])}")
    lines.extend(f"= -> {escape(item)}" for item in question.get("distractors") or [])
    return lines


_WRITERS = {"single_choice": _single_choice, "multiple_response": _multiple_response,
            "true_false": _true_false, "short_text": _short_text, "numeric": _numeric,
            "matching": _matching}


# --- quiz YAML ---------------------------------------------------------------------------------


class _QuizDumper(yaml.SafeDumper):
    """SafeDumper that indents lists under their key and writes multi-line text as ``|`` blocks."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_QuizDumper.add_representer(str, _text)


def write_quiz_yaml(slug: str, title: str, questions: list[dict[str, Any]]) -> str:
    """The text of ``quizzes/<slug>.yaml`` for imported questions: title, every setting at its
    default, then the questions, a blank line between them. Raises ``ValueError`` for a bad slug.
    """
    if not _SLUG_RE.fullmatch(slug) or len(slug) > 80:
        raise ValueError(_("%(slug)s is not a valid quiz slug (lower-case letters, digits and "
                           "single hyphens, at most 80 characters)", slug=quote(slug)))
    document = {"title": title, "settings": dict(DEFAULT_SETTINGS), "questions": questions}
    # yaml.dump with a SafeDumper subclass is safe_dump plus the layout above.
    body = yaml.dump(document, Dumper=_QuizDumper, sort_keys=False, allow_unicode=True,
                     width=1_000_000, default_flow_style=False)
    lines = []
    for line in body.splitlines():
        if line.startswith(("settings:", "questions:")) or (
                line.startswith("  - id:") and lines[-1] != "questions:"):
            lines.append("")
        lines.append(line)
    header = ("# " + _("quizzes/%(slug)s.yaml: imported from Moodle GIFT.", slug=slug) + "\n"
              "# " + _("Review each question, then run `lms content check`.") + "\n")
    return header + "\n".join(lines) + "\n"
