"""Rules a parsed quiz must meet so every question can be answered and graded (docs/authoring.md).

Each rule returns problems at the line of the question, option or setting at fault.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

from lms.content.documents import (
    Matching,
    MultipleResponse,
    Numeric,
    Question,
    QuizDoc,
    ShortText,
    SingleChoice,
)
from lms.content.problems import Problem
from lms.safeyaml import quote


def check_quiz_doc(doc: QuizDoc) -> list[Problem]:
    problems = _duplicate_ids(doc)
    for question in doc.questions:
        problems.extend(_question_rules(question))
    draw = doc.settings.draw
    if draw is not None and doc.questions and draw > len(doc.questions):
        problems.append(Problem(
            doc.path, doc.settings.line_of("draw"),
            ngettext("draw is %(draw)d but the quiz has only %(num)d question",
                     "draw is %(draw)d but the quiz has only %(num)d questions",
                     len(doc.questions), draw=draw),
        ))
    return problems


def _duplicate_ids(doc: QuizDoc) -> list[Problem]:
    first_line: dict[str, int] = {}
    problems = []
    for question in doc.questions:
        if not question.id:
            continue
        line = question.line_of("id")
        if question.id in first_line:
            problems.append(Problem(
                doc.path, line,
                _("duplicate question id %(id)s (first used on line %(line)d)",
                  id=quote(question.id), line=first_line[question.id]),
            ))
        else:
            first_line[question.id] = line
    return problems


def _question_rules(question: Question) -> list[Problem]:
    if isinstance(question, SingleChoice | MultipleResponse):
        return _choice_rules(question)
    if isinstance(question, Numeric):
        return _numeric_rules(question)
    if isinstance(question, ShortText):
        if question.answers and not any(a.weight == 100 for a in question.answers):
            return [_at(question, "answers", _("no answer has weight 100, so no response "
                                               "can score full points"))]
        return []
    if isinstance(question, Matching):
        return _matching_rules(question)
    return []


def _at(question: Question, field: str, message: str) -> Problem:
    return Problem(question.path, question.line_of(field),
                   _("question %(id)s: %(problem)s", id=quote(question.id), problem=message))


def _choice_rules(question: SingleChoice | MultipleResponse) -> list[Problem]:
    options = question.options
    if "options" not in question.lines:
        return []
    if len(options) < 2:
        return [_at(question, "options", _("a %(type)s question needs at least 2 options",
                                           type=question.type))]
    correct = [option for option in options if option.correct]
    if isinstance(question, SingleChoice):
        if not correct:
            return [_at(question, "options", _("no option is marked correct: true"))]
        if len(correct) > 1:
            return [Problem(question.path, correct[1].line,
                            _("question %(id)s: a single_choice question has exactly one "
                              "correct option, but %(count)d are marked correct: true",
                              id=quote(question.id), count=len(correct)))]
        return []
    if not correct:
        return [_at(question, "options", _("no option is correct (correct: true or a "
                                           "positive weight)"))]
    weighted = [option.weight is not None for option in options]
    if any(weighted) and not all(weighted):
        return [_at(question, "options", _("either every option has a weight or none has"))]
    if all(weighted):
        top = sum(option.weight or 0 for option in correct)
        # Moodle writes thirds as 33.33333, which add up to 99.99999: allow for that rounding.
        if top < 100 - 0.01:
            return [Problem(question.path, question.line_of("options"),
                            _("question %(id)s: positive weights add up to %(total)s %%, so "
                              "no response can score full points", id=quote(question.id),
                              total=format(top, "g")), "warning")]
    return []


def _numeric_rules(question: Numeric) -> list[Problem]:
    problems = [
        Problem(question.path, answer.line,
                _("question %(id)s: min %(min)s is greater than max %(max)s",
                  id=quote(question.id), min=format(answer.min, "g"), max=format(answer.max, "g")))
        for answer in question.answers
        if answer.min is not None and answer.max is not None and answer.min > answer.max
    ]
    if question.answers and not any(answer.weight == 100 for answer in question.answers):
        problems.append(_at(question, "answers", _("no answer has weight 100, so no response "
                                                   "can score full points")))
    return problems


def _matching_rules(question: Matching) -> list[Problem]:
    if "pairs" not in question.lines:
        return []
    if len(question.pairs) < 2:
        return [_at(question, "pairs", _("a matching question needs at least 2 pairs"))]
    seen: dict[str, int] = {}
    problems = []
    for pair in question.pairs:
        key = pair.left.strip().casefold()
        if key in seen:
            problems.append(Problem(
                pair.path, pair.line,
                _("question %(id)s: left item %(item)s appears twice (first on line %(line)d)",
                  id=quote(question.id), item=quote(pair.left), line=seen[key]),
            ))
        else:
            seen[key] = pair.line
    return problems
