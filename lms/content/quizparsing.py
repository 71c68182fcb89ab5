"""Parse a quiz's YAML node tree: settings, then each question by its type.

Only the shape of each field is checked here (types, ranges, known fields). Whether a question
can be answered correctly at all (a correct option, a 100 % answer ...) is checked in
``quizrules.py`` so those rules read as a list.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from flask_babel import gettext as _

from lms.content.documents import (
    GRADING_METHODS,
    MULTIPLE_RESPONSE_SCORING,
    QUESTION_TYPES,
    REVEAL_ANSWERS,
    Choice,
    Matching,
    MultipleResponse,
    Numeric,
    NumericAnswer,
    Pair,
    Question,
    QuizDoc,
    QuizSettings,
    ShortText,
    SingleChoice,
    TextAnswer,
    TrueFalse,
)
from lms.content.yamlread import Fields, Reader
from lms.safeyaml import quote

QUIZ_FIELDS = ("title", "description", "settings", "questions", "language")
SETTINGS_FIELDS = (
    "pass_mark", "max_attempts", "cooldown_minutes", "grading_method", "shuffle_questions",
    "shuffle_options", "draw", "time_limit_minutes", "reveal_answers",
    "multiple_response_scoring",
)
COMMON_QUESTION_FIELDS = ("id", "type", "prompt", "points", "explanation", "tags", "title",
                          "category")
TYPE_FIELDS: dict[str, tuple[str, ...]] = {
    "single_choice": ("options",),
    "multiple_response": ("options",),
    "true_false": ("answer", "feedback_true", "feedback_false"),
    "numeric": ("answers", "unit"),
    "short_text": ("answers",),
    "matching": ("pairs", "distractors"),
}
CHOICE_FIELDS = {"single_choice": ("text", "correct", "feedback"),
                 "multiple_response": ("text", "correct", "weight", "feedback")}
NUMERIC_FIELDS = ("value", "tolerance", "min", "max", "weight", "feedback")
TEXT_ANSWER_FIELDS = ("text", "weight", "feedback")
PAIR_FIELDS = ("left", "right")

_LANGUAGE = re.compile(r"^[a-z]{2}$")
_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")


def language_field(fields: Fields, reader: Reader) -> str:
    """The optional ``language:`` of a module, quiz or path: a two-letter code, "en" if absent."""
    language = fields.text("language") or "en"
    if "language" in fields and not _LANGUAGE.match(language):
        reader.report(fields.lines["language"],
                      _("'language' must be a two-letter code such as en"))
    return language


def parse_quiz_node(reader: Reader, root: yaml.Node, slug: str) -> QuizDoc | None:
    fields = reader.mapping(root, _("quiz"))
    if fields is None:
        return None
    fields.check_known(QUIZ_FIELDS, _("the quiz"))
    title = fields.text("title", required=True)
    description = fields.text("description")
    language = language_field(fields, reader)
    settings_node = fields.node("settings")
    settings = (_settings(reader, settings_node) if settings_node is not None
                else QuizSettings(path=reader.path, line=fields.line))
    questions: list[Question] = []
    questions_node = fields.node("questions", required=True)
    if questions_node is not None:
        items = reader.sequence(questions_node, "'questions'")
        if not items and isinstance(questions_node, yaml.SequenceNode):
            reader.report(fields.lines["questions"], _("the quiz has no questions"))
        for item in items:
            question = _question(reader, item)
            if question is not None:
                questions.append(question)
    return QuizDoc(
        path=reader.path, line=fields.line, lines=dict(fields.lines), slug=slug,
        title=title or "", description=description, settings=settings,
        questions=tuple(questions), language=language,
    )


def _settings(reader: Reader, node: yaml.Node) -> QuizSettings:
    fields = reader.mapping(node, _("settings"))
    if fields is None:
        return QuizSettings(path=reader.path, line=reader.line(node))
    fields.check_known(SETTINGS_FIELDS, _("settings"))
    return QuizSettings(
        path=reader.path, line=fields.line, lines=dict(fields.lines),
        pass_mark=fields.number("pass_mark", 70, minimum=0, maximum=100),
        max_attempts=fields.word_or_whole("max_attempts", "unlimited", 1, None),
        cooldown_minutes=fields.number("cooldown_minutes", 0, whole=True, minimum=0),
        grading_method=fields.choice("grading_method", GRADING_METHODS, "highest"),  # type: ignore[arg-type]
        shuffle_questions=fields.boolean("shuffle_questions", False),
        shuffle_options=fields.boolean("shuffle_options", False),
        draw=fields.word_or_whole("draw", "all", 1, None),
        time_limit_minutes=fields.word_or_whole("time_limit_minutes", "none", 1, None),
        reveal_answers=fields.choice("reveal_answers", REVEAL_ANSWERS, "after_submit"),  # type: ignore[arg-type]
        multiple_response_scoring=fields.choice(  # type: ignore[arg-type]
            "multiple_response_scoring", MULTIPLE_RESPONSE_SCORING, "partial"),
    )


def _question(reader: Reader, node: yaml.Node) -> Question | None:
    fields = reader.mapping(node, _("a question"))
    if fields is None:
        return None
    qtype_node = fields.node("type", required=True)
    qtype = None if qtype_node is None else reader.choice(qtype_node, "'type'", QUESTION_TYPES)
    allowed = COMMON_QUESTION_FIELDS + TYPE_FIELDS.get(qtype or "", ())
    if qtype is not None:
        fields.check_known(allowed, _("a %(type)s question", type=qtype))
    qid = fields.text("id", required=True)
    if qid is not None and not set(qid) <= _ID_CHARS:
        reader.report(fields.lines["id"], _("question id %(id)s may only use lower-case "
                                            "letters, digits, - and _", id=quote(qid)))
    common: dict[str, Any] = dict(
        path=reader.path, line=fields.line, lines=dict(fields.lines), id=qid or "",
        prompt=fields.text("prompt", required=True) or "",
        points=fields.number("points", 1, above=0),
        explanation=fields.text("explanation"),
        tags=fields.text_list("tags")[0],
        title=fields.text("title"),
        category=fields.text("category"),
    )
    if qtype is None:
        return None
    if qtype in ("single_choice", "multiple_response"):
        options = tuple(_items(reader, fields, "options", lambda n: _choice(reader, n, qtype)))
        cls = SingleChoice if qtype == "single_choice" else MultipleResponse
        return cls(**common, options=options)
    if qtype == "true_false":
        answer_node = fields.node("answer", required=True)
        answer = None if answer_node is None else reader.boolean(answer_node, "'answer'")
        return TrueFalse(**common, answer=bool(answer), feedback_true=fields.text("feedback_true"),
                         feedback_false=fields.text("feedback_false"))
    if qtype == "numeric":
        answers = tuple(_items(reader, fields, "answers", lambda n: _numeric(reader, n)))
        return Numeric(**common, answers=answers, unit=fields.text("unit"))
    if qtype == "short_text":
        texts = tuple(_items(reader, fields, "answers", lambda n: _text_answer(reader, n)))
        return ShortText(**common, answers=texts)
    pairs = tuple(_items(reader, fields, "pairs", lambda n: _pair(reader, n)))
    return Matching(**common, pairs=pairs, distractors=fields.text_list("distractors")[0])


def _items(reader: Reader, fields: Fields, key: str, parse: Any) -> list[Any]:
    node = fields.node(key, required=True)
    if node is None:
        return []
    parsed = (parse(item) for item in reader.sequence(node, f"{quote(key)}"))
    return [item for item in parsed if item is not None]


def _choice(reader: Reader, node: yaml.Node, qtype: str) -> Choice | None:
    fields = reader.mapping(node, _("an option"))
    if fields is None:
        return None
    fields.check_known(CHOICE_FIELDS[qtype], _("a %(type)s option", type=qtype))
    text = fields.text("text", required=True)
    weight = None
    if qtype == "multiple_response":
        weight = fields.number("weight", None, minimum=-100, maximum=100)
    if "weight" in fields and "correct" in fields and qtype == "multiple_response":
        reader.report(fields.line, _("an option takes either 'correct' or 'weight', not both"))
    correct = fields.boolean("correct", False) if weight is None else weight > 0
    if text is None:
        return None
    return Choice(path=reader.path, line=fields.line, lines=dict(fields.lines), text=text,
                  correct=correct, weight=weight, feedback=fields.text("feedback"))


def _numeric(reader: Reader, node: yaml.Node) -> NumericAnswer | None:
    fields = reader.mapping(node, _("a numeric answer"))
    if fields is None:
        return None
    fields.check_known(NUMERIC_FIELDS, _("a numeric answer"))
    has_value = "value" in fields
    has_range = "min" in fields or "max" in fields
    if has_value == has_range:
        reader.report(fields.line, _("a numeric answer needs either 'value' (with "
                                     "'tolerance') or 'min' and 'max'"))
        return None
    if has_range and "tolerance" in fields:
        reader.report(fields.lines["tolerance"],
                      _("'tolerance' goes with 'value', not 'min'/'max'"))
    weight = fields.number("weight", 100, minimum=0, maximum=100)
    feedback = fields.text("feedback")
    common: dict[str, Any] = dict(path=reader.path, line=fields.line, lines=dict(fields.lines),
                                  weight=weight, feedback=feedback)
    if has_value:
        value = fields.number("value", None, required=True)
        tolerance = fields.number("tolerance", 0, minimum=0)
        return None if value is None else NumericAnswer(**common, value=value,
                                                        tolerance=tolerance)
    low = fields.number("min", None, required=True)
    high = fields.number("max", None, required=True)
    if low is None or high is None:
        return None
    return NumericAnswer(**common, min=low, max=high)


def _text_answer(reader: Reader, node: yaml.Node) -> TextAnswer | None:
    if isinstance(node, yaml.ScalarNode):
        text = reader.text(node, _("an answer"))
        return None if text is None else TextAnswer(path=reader.path, line=reader.line(node),
                                                    text=text)
    fields = reader.mapping(node, _("an answer"))
    if fields is None:
        return None
    fields.check_known(TEXT_ANSWER_FIELDS, _("a short_text answer"))
    text = fields.text("text", required=True)
    weight = fields.number("weight", 100, minimum=0, maximum=100)
    if text is None:
        return None
    return TextAnswer(path=reader.path, line=fields.line, lines=dict(fields.lines), text=text,
                      weight=weight, feedback=fields.text("feedback"))


def _pair(reader: Reader, node: yaml.Node) -> Pair | None:
    fields = reader.mapping(node, _("a pair"))
    if fields is None:
        return None
    fields.check_known(PAIR_FIELDS, _("a matching pair"))
    left = fields.text("left", required=True)
    right = fields.text("right", required=True)
    if left is None or right is None:
        return None
    return Pair(path=reader.path, line=fields.line, lines=dict(fields.lines), left=left,
                right=right)
