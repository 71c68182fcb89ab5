"""Moodle GIFT import and export for quizzes: the public entry point.

- ``parse_gift(text)`` reads a GIFT file into question dicts of our quiz YAML format
  (docs/authoring.md) plus the problems found, each with its line;
- ``quiz_to_gift(quiz)`` writes a quiz dict back as GIFT (``gift_export.py``);
- ``write_quiz_yaml(slug, title, questions)`` produces the quiz file ``lms content import-gift``
  saves as ``quizzes/<slug>.yaml``.

This module reads the file level of GIFT: blank-line separated blocks, whole-line ``//`` comments
with their ``[id:…]`` / ``[tag:…]`` tokens, ``$CATEGORY:`` switches and question ids. The grammar
of one question lives in ``gift_parse.py``.

Two comment tokens are our own and ignored by Moodle: ``[points:N]`` and ``[unit:…]`` (numeric
questions). The exporter writes them so a round trip through GIFT keeps points and units.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from lms.content.gift_export import GiftExportError, quiz_to_gift, write_quiz_yaml
from lms.content.gift_parse import GiftProblem, SkippedQuestion, parse_question, slugify
from lms.safeyaml import quote

__all__ = [
    "GiftExportError",
    "GiftImport",
    "GiftProblem",
    "parse_gift",
    "quiz_to_gift",
    "write_quiz_yaml",
]

_TOKEN_RE = re.compile(r"\[(id|tag|points|unit):((?:\\\]|[^\]])*)\]")
# A Moodle context marker such as $course$ or $system$ at the start of a category path.
_CONTEXT_RE = re.compile(r"\$[a-z]+\$")
# Moodle writes a literal '/' inside a category name as '//', so only a single '/' separates.
_PATH_SEPARATOR = re.compile(r"(?<!/)/(?!/)")
_CATEGORY = "$CATEGORY:"


@dataclass
class GiftImport:
    """The questions read from a GIFT file and what went wrong, in file order."""

    questions: list[dict[str, Any]] = field(default_factory=list)
    problems: list[GiftProblem] = field(default_factory=list)
    source: str = "<gift>"

    @property
    def errors(self) -> list[GiftProblem]:
        """Problems that lost or broke a question; warnings (severity "warning") did not."""
        return [problem for problem in self.problems if problem.severity == "error"]

    def report(self) -> list[str]:
        """One ``source:line: message`` line per problem, as ``lms content check`` prints them."""
        return [f"{self.source}:{p.line}: " + (p.message if p.severity == "error" else
                                               _("warning: %(message)s", message=p.message))
                for p in self.problems]


@dataclass
class _Meta:
    """What a question's comment lines say about it."""

    id: str | None = None
    tags: list[str] = field(default_factory=list)
    points: int | float = 1
    unit: str = ""


@dataclass
class _State:
    result: GiftImport
    category: str | None = None
    category_tag: str | None = None


def parse_gift(text: str, *, source: str = "<gift>") -> GiftImport:
    """Read GIFT ``text`` (a whole file) into question dicts and problems. Never raises."""
    state = _State(GiftImport(source=source))
    for block in _blocks(text):
        _read_block(block, state)
    return state.result


def _blocks(text: str) -> list[list[tuple[int, str]]]:
    """Blank-line separated blocks of ``(line number, line)``; CRLF and old-Mac CR files too."""
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[list[tuple[int, str]]] = [[]]
    for number, line in enumerate(lines, start=1):
        # Moodle also ends a block at a line that is just "0" (PHP's empty()); we do not.
        if line.strip():
            blocks[-1].append((number, line.rstrip()))
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("//")


def _read_block(lines: list[tuple[int, str]], state: _State) -> None:
    content = [(number, line) for number, line in lines if not _is_comment(line)]
    if not content:
        return
    first_line, first = content[0]
    problems = state.result.problems
    if first.strip().startswith(_CATEGORY):
        state.category, state.category_tag = _category(first.strip()[len(_CATEGORY):])
        rest = [(number, line) for number, line in lines if number > first_line]
        if any(not _is_comment(line) for _, line in rest):
            problems.append(GiftProblem(first_line, _("put a blank line between $CATEGORY and "
                                                      "the question that follows"), "warning"))
            _read_block(rest, state)
        return
    warnings: list[GiftProblem] = []
    meta = _metadata([(n, line) for n, line in lines if _is_comment(line)], warnings)
    try:
        fields = parse_question(content, warnings)
    except SkippedQuestion as skipped:
        problems.extend(warnings)
        problems.append(skipped.problem)
        return
    problems.extend(warnings)
    state.result.questions.append(_question(fields, meta, state, first_line))


def _category(path: str) -> tuple[str | None, str | None]:
    """Our category path and tag for a ``$CATEGORY:`` path.

    The context marker (``$course$``) and Moodle's hidden ``top`` level mean nothing here, so
    ``$course$/top/Sales/Objections`` becomes ``Sales/Objections`` with the tag ``objections``.
    """
    segments = [segment.strip() for segment in _PATH_SEPARATOR.split(path.strip())]
    if segments and _CONTEXT_RE.fullmatch(segments[0]):
        segments = segments[1:]
    if segments and segments[0] == "top":
        segments = segments[1:]
    segments = [segment for segment in segments if segment]
    if not segments:
        return None, None
    return "/".join(segments), slugify(segments[-1].replace("//", "/")) or None


def _metadata(comments: list[tuple[int, str]], warnings: list[GiftProblem]) -> _Meta:
    """Read ``[id:…]`` (first one counts), ``[tag:…]``, ``[points:…]`` and ``[unit:…]`` tokens.

    A token must sit on one line; ``\\]`` is a literal ``]`` inside it.
    """
    meta = _Meta()
    for line, text in comments:
        for match in _TOKEN_RE.finditer(text):
            kind, value = match.group(1), match.group(2).replace("\\]", "]").strip()
            if kind == "id" and meta.id is None:
                meta.id = value
            elif kind == "tag" and value and value not in meta.tags:
                if any(c in "<>" or unicodedata.category(c) == "Cc" for c in value):
                    warnings.append(GiftProblem(line, _("tag %(tag)s contains '<', '>' or a "
                                                        "control character (dropped)",
                                                        tag=quote(value)), "warning"))
                else:
                    meta.tags.append(value)
            elif kind == "points":
                try:
                    points = float(value)
                except ValueError:
                    points = 0
                if points > 0:
                    meta.points = int(points) if points.is_integer() else points
                else:
                    warnings.append(GiftProblem(line, _("%(token)s is not a number above 0 "
                                                        "(points stay 1)",
                                                        token="[points:" + value + "]"), "warning"))
            elif kind == "unit":
                meta.unit = value
    return meta


def _question(fields: dict[str, Any], meta: _Meta, state: _State, line: int) -> dict[str, Any]:
    """Assemble the question dict in the field order of docs/authoring.md."""
    questions = state.result.questions
    title = fields.pop("title")
    base = slugify(meta.id or "") or slugify(title) or f"q{len(questions) + 1}"
    used = {question["id"] for question in questions}
    qid, suffix = base, 2
    while qid in used:
        qid, suffix = f"{base}-{suffix}", suffix + 1
    if qid != base and meta.id:
        state.result.problems.append(GiftProblem(line, _("question id %(id)s is used twice; "
                                                         "this one becomes %(new_id)s",
                                                         id=quote(base), new_id=quote(qid)),
                                                 "warning"))
    question: dict[str, Any] = {"id": qid}
    # The exporter writes the id as the title of an untitled question: do not read it back.
    if title and title != qid:
        question["title"] = title
    if state.category:
        question["category"] = state.category
    question.update(type=fields.pop("type"), prompt=fields.pop("prompt"), points=meta.points)
    explanation = fields.pop("explanation")
    if explanation:
        question["explanation"] = explanation
    tags = meta.tags + [tag for tag in [state.category_tag] if tag and tag not in meta.tags]
    if tags:
        question["tags"] = tags
    question.update(fields)
    if meta.unit:
        if question["type"] == "numeric":
            question["unit"] = meta.unit
        else:
            state.result.problems.append(GiftProblem(line, _("[unit:…] only applies to numeric "
                                                             "questions (ignored)"), "warning"))
    return question
