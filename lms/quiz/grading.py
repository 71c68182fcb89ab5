"""Grade one response to one quiz question, by the rules in docs/authoring.md ("Question types").

A response is the plain JSON value stored with the attempt:

- single_choice: the chosen option's index in the question's option list, or None. Indexes always
  count in file order, never in the shuffled display order (that order is stored separately).
- multiple_response: a list of option indexes (file order); ``[]`` or None when none is chosen.
- true_false: True, False or None.
- numeric: the text as typed, or None: "12.5", "12,5", " +12.5 ", "12.5 cups" (when the question's
  unit is cups). A plain int or float is accepted too. Thousand separators are refused.
- short_text: the text as typed, or None.
- matching: a list with one entry per pair, in pair order: the right-hand text chosen for that
  pair's left item, or None (or "") when none is chosen.

Blank responses score 0 as "unanswered". A response of the wrong shape (wrong type, index out of
range, wrong length) scores 0 as "incorrect" with the detail "Answer not recognised"; grading never
raises on a response, only on a question type it does not know.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from typing import Any, Literal

from babel.numbers import get_decimal_symbol
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from lms.content.documents import (
    Matching,
    MultipleResponse,
    Numeric,
    NumericAnswer,
    Question,
    ShortText,
    SingleChoice,
    TrueFalse,
)
from lms.safeyaml import quote

Outcome = Literal["correct", "partial", "incorrect", "unanswered"]

#: Moodle writes thirds as 33.33333, which add up to 99.99999 %: weights this close to 100 % count
#: as full marks (the same allowance ``lms content check`` makes before it warns).
FULL_WEIGHT_SLACK = 0.01

# One optional sign, digits, at most one decimal point or comma; no thousand separators.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)")


@dataclass(frozen=True)
class Graded:
    """The score of one response, with words a learner can follow."""

    points: float
    max_points: float
    correct: Outcome
    #: the authors' feedback that applies to this response (chosen option, matched answer ...)
    feedback: list[str] = field(default_factory=list)
    #: how the score came about, e.g. "2 of 3 correct options chosen ...: 0.33 of 1 point"
    detail: str = ""


def grade(question: Question, response: Any, *,
          multiple_response_scoring: str = "partial") -> Graded:
    """Grade ``response`` to any question; ``multiple_response_scoring`` is the quiz setting."""
    if isinstance(question, MultipleResponse):
        return grade_multiple_response(question, response, scoring=multiple_response_scoring)
    grader = _GRADERS.get(type(question))
    if grader is None:
        raise TypeError(f"cannot grade a question of type {type(question).__name__}")
    return grader(question, response)


def grade_single_choice(question: SingleChoice, response: Any) -> Graded:
    if response is None:
        return _unanswered(question)
    if not _is_index(response, len(question.options)):
        return _unrecognised(question)
    option = question.options[response]
    summary = _("Correct option chosen") if option.correct else _("Wrong option chosen")
    return _graded(question, 1.0 if option.correct else 0.0, summary, [option.feedback])


def grade_multiple_response(question: MultipleResponse, response: Any, *,
                            scoring: str = "partial") -> Graded:
    """Partial credit ``max(0, c/C - w/W)``, all or nothing, or weights (which take precedence)."""
    if scoring not in ("partial", "all_or_nothing"):
        raise ValueError(f"unknown multiple_response_scoring {quote(scoring)}")
    if response is None or (isinstance(response, list | tuple) and not response):
        return _unanswered(question)
    options = question.options
    if not isinstance(response, list | tuple) or not all(
            _is_index(index, len(options)) for index in response):
        return _unrecognised(question)
    chosen = sorted(set(response))
    feedback = [options[index].feedback for index in chosen]
    if question.weighted:
        # An author who wrote weights said exactly what each option is worth, so the quiz-wide
        # all_or_nothing setting does not override them.
        total = sum(options[index].weight or 0 for index in chosen)
        fraction = 1.0 if total >= 100 - FULL_WEIGHT_SLACK else max(0.0, total / 100)
        if total < 0:
            summary = _("The chosen options are worth %(total)s %% together, counted as 0 %%",
                        total=_shown(total))
        elif total > 100:
            summary = _("The chosen options are worth %(total)s %% together, counted as 100 %%",
                        total=_shown(total))
        else:
            summary = _("The chosen options are worth %(total)s %% together", total=_shown(total))
        return _graded(question, fraction, summary, feedback)
    correct = {index for index, option in enumerate(options) if option.correct}
    hits = len(correct.intersection(chosen))
    wrong = len(chosen) - hits
    # Two counts, each with its own plural: two phrases in one sentence.
    summary = _("%(correct)s, %(wrong)s",
                correct=ngettext("%(hits)d of %(num)d correct option chosen",
                                 "%(hits)d of %(num)d correct options chosen", len(correct),
                                 hits=hits),
                wrong=ngettext("%(num)d wrong option chosen", "%(num)d wrong options chosen",
                               wrong))
    if scoring == "all_or_nothing":
        fraction = 1.0 if set(chosen) == correct else 0.0
        if not fraction:
            summary = _("%(summary)s (only the exact set of correct options scores)",
                        summary=summary)
    else:
        wrong_total = len(options) - len(correct)
        penalty = wrong / wrong_total if wrong_total else 0.0
        fraction = max(0.0, hits / len(correct) - penalty) if correct else 0.0
    return _graded(question, fraction, summary, feedback)


def grade_true_false(question: TrueFalse, response: Any) -> Graded:
    if response is None:
        return _unanswered(question)
    if not isinstance(response, bool):
        return _unrecognised(question)
    said = _("True") if response else _("False")
    if response == question.answer:
        summary = _("“%(answer)s” is correct", answer=said)
    elif question.answer:
        summary = _("“%(answer)s” is wrong: the statement is true", answer=said)
    else:
        summary = _("“%(answer)s” is wrong: the statement is false", answer=said)
    feedback = question.feedback_true if response else question.feedback_false
    return _graded(question, float(response == question.answer), summary, [feedback])


def grade_numeric(question: Numeric, response: Any) -> Graded:
    """The best (highest weight) answer that the number matches counts."""
    if response is None or (isinstance(response, str) and not response.strip()):
        return _unanswered(question)
    if isinstance(response, str):
        number = parse_number(response, question.unit)
        if number is None:
            return _graded(question, 0.0, _("%(given)s is not a number (write digits with at "
                                            "most one decimal point or comma, e.g. 12,5)",
                                            given=_quote(response)))
    elif isinstance(response, int | float) and not isinstance(response, bool):
        number = _decimal(response)  # a number stored by a caller rather than typed
    else:
        return _unrecognised(question)
    if not number.is_finite():
        return _unrecognised(question)
    matches = [answer for answer in question.answers if _numeric_match(answer, number)]
    shown = _local(_decimal_text(number))
    if not matches:
        return _graded(question, 0.0, _("%(given)s is not an accepted answer", given=shown))
    best = max(matches, key=lambda answer: answer.weight)
    full, worth = best.weight >= 100, _shown(best.weight)
    if best.is_range:
        low, high = _local(_num(best.min)), _local(_num(best.max))
        summary = (_("%(given)s is between %(low)s and %(high)s", given=shown, low=low, high=high)
                   if full else
                   _("%(given)s is between %(low)s and %(high)s (worth %(worth)s %%)",
                     given=shown, low=low, high=high, worth=worth))
    elif best.tolerance:
        within, value = _local(_num(best.tolerance)), _local(_num(best.value))
        summary = (_("%(given)s is within %(tolerance)s of %(value)s", given=shown,
                     tolerance=within, value=value)
                   if full else
                   _("%(given)s is within %(tolerance)s of %(value)s (worth %(worth)s %%)",
                     given=shown, tolerance=within, value=value, worth=worth))
    else:
        value = _local(_num(best.value))
        summary = (_("%(given)s is the expected %(value)s", given=shown, value=value) if full
                   else _("%(given)s is the expected %(value)s (worth %(worth)s %%)",
                          given=shown, value=value, worth=worth))
    return _graded(question, best.weight / 100, summary, [best.feedback])


def grade_short_text(question: ShortText, response: Any) -> Graded:
    """The best (highest weight) answer equal to the response after ``normalise_text`` counts."""
    if response is None or (isinstance(response, str) and not response.strip()):
        return _unanswered(question)
    if not isinstance(response, str):
        return _unrecognised(question)
    given = normalise_text(response)
    matches = [answer for answer in question.answers if normalise_text(answer.text) == given]
    if not matches:
        return _graded(question, 0.0, _("%(given)s is not an accepted answer",
                                        given=_quote(response)))
    best = max(matches, key=lambda answer: answer.weight)
    summary = (_("%(given)s is an accepted answer", given=_quote(response))
               if best.weight >= 100 else
               _("%(given)s is an accepted answer (worth %(worth)s %%)", given=_quote(response),
                 worth=_shown(best.weight)))
    return _graded(question, best.weight / 100, summary, [best.feedback])


def grade_matching(question: Matching, response: Any) -> Graded:
    """Each correctly matched pair earns an equal share of the points."""
    if response is None:
        return _unanswered(question)
    pairs = question.pairs
    if (not isinstance(response, list | tuple) or len(response) != len(pairs)
            or not all(item is None or isinstance(item, str) for item in response)):
        return _unrecognised(question)
    if not any(response):
        return _unanswered(question)
    right = sum(1 for pair, item in zip(pairs, response, strict=True) if item == pair.right)
    summary = ngettext("%(right)d of %(num)d pair matched correctly",
                       "%(right)d of %(num)d pairs matched correctly", len(pairs), right=right)
    return _graded(question, right / len(pairs) if pairs else 0.0, summary)


def correct_response(question: Question) -> Any:
    """A response that scores full marks (when the question allows full marks at all)."""
    if isinstance(question, SingleChoice):
        return next((i for i, option in enumerate(question.options) if option.correct), 0)
    if isinstance(question, MultipleResponse):
        return [i for i, option in enumerate(question.options)
                if (option.weight or 0) > 0 or (option.weight is None and option.correct)]
    if isinstance(question, TrueFalse):
        return question.answer
    if isinstance(question, Numeric):
        if not question.answers:
            return None
        best = max(question.answers, key=lambda answer: answer.weight)
        # min is inside its own range and needs no arithmetic that could round.
        return _num(best.min if best.is_range else best.value)
    if isinstance(question, ShortText):
        if not question.answers:
            return None
        return max(question.answers, key=lambda answer: answer.weight).text
    if isinstance(question, Matching):
        return [pair.right for pair in question.pairs]
    raise TypeError(f"unknown question type {type(question).__name__}")


def describe_correct_answer(question: Question) -> str:
    """The full-marks answer in plain words, e.g. "12 ± 0.5 cups" or "A → 1; B → 2"."""
    if isinstance(question, SingleChoice):
        return next((option.text for option in question.options if option.correct), "")
    if isinstance(question, MultipleResponse):
        if question.weighted:
            return "; ".join(f"{option.text} ({_shown(option.weight or 0)} %)"
                             for option in question.options if (option.weight or 0) > 0)
        return "; ".join(option.text for option in question.options if option.correct)
    if isinstance(question, TrueFalse):
        return _("True") if question.answer else _("False")
    if isinstance(question, Numeric):
        unit = f" {question.unit}" if question.unit else ""
        return _either([_describe_numeric(answer) + unit for answer in _top(question.answers)])
    if isinstance(question, ShortText):
        texts = [answer.text for answer in _top(question.answers)]
        return texts[0] if len(texts) == 1 else _("any of: %(answers)s",
                                                   answers=", ".join(texts))
    if isinstance(question, Matching):
        return "; ".join(f"{pair.left} → {pair.right}" for pair in question.pairs)
    raise TypeError(f"unknown question type {type(question).__name__}")


def parse_number(text: str, unit: str | None = None) -> Decimal | None:
    """The number a learner typed, or None; accepts a decimal comma and a trailing ``unit``."""
    cleaned = text.strip()
    suffix = (unit or "").strip()
    # Only when the whole text is no number: with unit "5" (odd, but allowed), "125" stays 125.
    if (not _NUMBER.fullmatch(cleaned) and suffix and len(cleaned) > len(suffix)
            and cleaned[-len(suffix):].casefold() == suffix.casefold()):
        cleaned = cleaned[:-len(suffix)].rstrip()
    if not _NUMBER.fullmatch(cleaned):
        return None
    return Decimal(cleaned.replace(",", "."))


def normalise_text(text: str) -> str:
    """Short-text comparison form: trimmed, inner white space collapsed, case ignored.

    NFC first, so an "é" typed as e + accent equals the precomposed one.
    """
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


# --- helpers ---------------------------------------------------------------------------------


def _graded(question: Question, fraction: float, summary: str,
            feedback: list[str | None] | None = None) -> Graded:
    fraction = min(max(fraction, 0.0), 1.0)
    maximum = float(question.points)
    # Full marks are exactly the question's points, so a 0.33335-point question is not rounded up.
    points = maximum if fraction >= 1 else min(round(fraction * maximum, 4), maximum)
    outcome: Outcome = ("correct" if points >= maximum else "partial" if points > 0
                        else "incorrect")
    detail = ngettext("%(summary)s: %(points)s of %(max)s point",
                      "%(summary)s: %(points)s of %(max)s points", _plural(maximum),
                      summary=summary, points=_shown(points), max=_shown(maximum))
    return Graded(points, maximum, outcome, [text for text in feedback or [] if text], detail)


def _unanswered(question: Question) -> Graded:
    return Graded(0.0, float(question.points), "unanswered", [],
                  ngettext("Not answered: 0 of %(max)s point", "Not answered: 0 of %(max)s points",
                           _plural(question.points), max=_shown(question.points)))


def _unrecognised(question: Question) -> Graded:
    return _graded(question, 0.0, _("Answer not recognised"))


def _is_index(value: Any, size: int) -> bool:
    # bool is an int in Python, but True is not option 1.
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < size


def _numeric_match(answer: NumericAnswer, number: Decimal) -> bool:
    # Decimal, not float: 1.1 must be within 0.1 of 1.0, which float subtraction gets wrong.
    bounds = (answer.min, answer.max) if answer.is_range else (answer.value, answer.tolerance)
    if any(bound is None for bound in bounds):
        return False
    first, second = (_decimal(bound) for bound in bounds)
    if not (first.is_finite() and second.is_finite()):
        return False
    low, high = (first, second) if answer.is_range else (first - second, first + second)
    return low <= number <= high


def _describe_numeric(answer: NumericAnswer) -> str:
    if answer.is_range:
        return _("%(low)s to %(high)s", low=_local(_num(answer.min)),
                 high=_local(_num(answer.max)))
    if answer.tolerance:
        return f"{_local(_num(answer.value))} ± {_local(_num(answer.tolerance))}"
    return _local(_num(answer.value))


def _either(texts: list[str]) -> str:
    """"a or b or c", in the language being spoken."""
    return reduce(lambda first, second: _("%(first)s or %(second)s", first=first,
                                          second=second), texts) if texts else ""


def _top(answers: tuple[Any, ...]) -> list[Any]:
    best = max((answer.weight for answer in answers), default=0)
    return [answer for answer in answers if answer.weight == best]


def _decimal(number: float) -> Decimal:
    # str() gives the shortest text that round-trips, i.e. what the author wrote: 0.1, not 0.1000…1
    return Decimal(str(number))


def _decimal_text(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "+0") else text


def _num(number: float | None) -> str:
    """A number from a quiz file as its author wrote it: 12, 0.5, 0.00001."""
    return _decimal_text(_decimal(number or 0))


def _short(number: float) -> str:
    """A score or weight to two decimals: 0.33, 1, 33.33."""
    text = f"{number:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _local(text: str) -> str:
    """A number's text with the decimal sign of the language being spoken ("12,5" in Dutch);
    unchanged outside a request."""
    locale = get_locale()
    sign = get_decimal_symbol(locale) if locale is not None else "."
    return text.replace(".", sign) if sign != "." else text


def _shown(number: float) -> str:
    """A score or weight as a learner reads it: ``_short`` in the language being spoken."""
    return _local(_short(number))


def _plural(number: float) -> int:
    """The count that picks "point" or "points": singular for exactly one only."""
    return 1 if number == 1 else 2


def _quote(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return f"“{text if len(text) <= limit else text[:limit - 1] + '…'}”"


_GRADERS: dict[type, Callable[[Any, Any], Graded]] = {
    SingleChoice: grade_single_choice,
    TrueFalse: grade_true_false,
    Numeric: grade_numeric,
    ShortText: grade_short_text,
    Matching: grade_matching,
}
