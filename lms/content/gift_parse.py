"""Read one Moodle GIFT question block into a question dict of our quiz YAML format.

``gift.py`` splits a file into blocks and handles comments, categories and ids; this module
reads what is left: title, prompt, answer block and the answers of each question type.

The grammar follows Moodle's importer (summarised in the shared reference ``gift-format.md``).
Parsing works on a *masked* copy of each question block in which both characters of every escape
pair (``\\~``, ``\\n`` ...) are replaced by a neutral character: syntax is searched for in the mask
and text is cut from the original at the same offsets, then unescaped. So offsets always map back
to file lines, and an escaped character can never act as syntax.

Nothing is dropped silently: a skipped or altered question always yields a ``GiftProblem``.
"""

from __future__ import annotations

import bisect
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

from flask_babel import gettext as _

from lms.safeyaml import quote

Severity = Literal["error", "warning"]

#: Moodle's text-format markers; we keep every format's text as it is (see ``_unmark``).
FORMAT_MARKERS = ("[html]", "[moodle]", "[plain]", "[markdown]")
#: a weight at the start of an answer: ``%50%``, ``%-100%``, ``%33.33333%`` (not ``%+5%``)
WEIGHT_RE = re.compile(r"%(-?\d+(?:\.\d*)?)%")
#: what the missing-word layout puts in the prompt where the answer block stood
BLANK = "_____"

_ESCAPE_RE = re.compile(r"\\([~=#{}:\\n])")
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_TF_WORDS = {"T": True, "TRUE": True, "F": False, "FALSE": False}
# Stands in for escaped characters in the mask: not whitespace, not syntax.
_MASK = "\x01"


@dataclass(frozen=True)
class GiftProblem:
    """Something the importer could not take over as written. ``line`` is 1-based."""

    line: int
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        return _("line %(line)d: %(message)s", line=self.line, message=self.message)


# --- text helpers (the exporter and gift.py use them too) -------------------------------------


def unescape(raw: str) -> str:
    """Turn GIFT escapes into the characters they stand for (``\\n`` is a line break)."""
    return _ESCAPE_RE.sub(lambda m: "\n" if m.group(1) == "n" else m.group(1), raw)


def slugify(text: str, limit: int = 80) -> str:
    """Lower-case ``text`` to ``[a-z0-9_-]`` (accents folded); identity on valid question ids."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9_-]+", "-", ascii_text.lower()).strip("-")[:limit].strip("-")


def tidy_number(value: float) -> int | float:
    """Whole numbers as int so the YAML reads ``10``, not ``10.0``."""
    return int(value) if value.is_integer() and abs(value) < 1e15 else value


class SkippedQuestion(Exception):
    """A question that cannot be imported; carries the problem to report."""

    def __init__(self, line: int, message: str, severity: Severity = "error") -> None:
        super().__init__(message)
        self.problem = GiftProblem(line, message, severity)


# --- spans: slices of one question block that remember their lines ---------------------------


@dataclass(frozen=True)
class _Block:
    raw: str
    masked: str
    starts: tuple[int, ...]
    numbers: tuple[int, ...]

    @classmethod
    def of(cls, lines: list[tuple[int, str]]) -> _Block:
        raw = "\n".join(text for _, text in lines)
        starts: list[int] = []
        offset = 0
        for _number, text in lines:
            starts.append(offset)
            offset += len(text) + 1
        masked = _ESCAPE_RE.sub(_MASK * 2, raw)
        return cls(raw, masked, tuple(starts), tuple(n for n, _ in lines))

    def line_at(self, offset: int) -> int:
        return self.numbers[bisect.bisect_right(self.starts, offset) - 1]


@dataclass(frozen=True)
class _Span:
    block: _Block
    start: int
    end: int

    @property
    def mask(self) -> str:
        return self.block.masked[self.start:self.end]

    @property
    def line(self) -> int:
        return self.block.line_at(self.start)

    def text(self) -> str:
        return unescape(self.block.raw[self.start:self.end])

    def cut(self, begin: int, stop: int | None = None) -> _Span:
        """The sub-span at offsets relative to this span."""
        stop = len(self.mask) if stop is None else stop
        return _Span(self.block, self.start + begin, self.start + stop)

    def strip(self) -> _Span:
        mask = self.mask
        if not mask.strip():
            return self.cut(0, 0)
        return self.cut(len(mask) - len(mask.lstrip()), len(mask.rstrip()))

    def find(self, syntax: str, begin: int = 0) -> int:
        return self.mask.find(syntax, begin)

    def pieces(self, delimiters: str) -> list[tuple[str, _Span]]:
        """Split at each delimiter: ``(delimiter, text after it)`` pairs, the first with ``""``."""
        cuts = [i for i, char in enumerate(self.mask) if char in delimiters]
        bounds = [-1, *cuts, len(self.mask)]
        return [("" if a < 0 else self.mask[a], self.cut(a + 1, b))
                for a, b in zip(bounds, bounds[1:], strict=False)]


def _unmark(span: _Span) -> _Span:
    """Drop a leading format marker: markdown, plain and moodle text is kept as text, html as-is
    (our renderer sanitises it)."""
    span = span.strip()
    for marker in FORMAT_MARKERS:
        if span.mask.startswith(marker):
            return span.cut(len(marker)).strip()
    return span


def _feedback(span: _Span) -> tuple[_Span, str]:
    """Split an answer at its first ``#`` into the answer and its feedback text."""
    mark = span.find("#")
    if mark < 0:
        return span.strip(), ""
    return span.cut(0, mark).strip(), _unmark(span.cut(mark + 1)).text()


def _weight(span: _Span, low: float = -100) -> tuple[float | None, _Span]:
    span = span.strip()
    match = WEIGHT_RE.match(span.mask)
    if not match:
        return None, span
    weight = float(match.group(1))
    if not low <= weight <= 100:
        raise SkippedQuestion(span.line, _("weight %(weight)s%% is outside %(low)s..100",
                                           weight=match.group(1), low=format(low, "g")))
    return weight, span.cut(match.end())


def _number(span: _Span, what: str) -> int | float:
    text = span.strip().text()
    # what: "minimum", "maximum", "tolerance" or "value"; each named in the language spoken.
    name = {"minimum": _("minimum"), "maximum": _("maximum"), "tolerance": _("tolerance"),
            "value": _("value")}[what]
    if not text:
        raise SkippedQuestion(span.line, _("numeric answer: the %(what)s is missing", what=name))
    if not _NUMBER_RE.fullmatch(text):
        if _NUMBER_RE.fullmatch(text.replace(",", ".")):
            message = _("numeric answer: %(what)s %(text)s is not a number (use a decimal point)",
                        what=name, text=quote(text))
        else:
            message = _("numeric answer: %(what)s %(text)s is not a number", what=name,
                        text=quote(text))
        raise SkippedQuestion(span.line, message)
    number = float(text)
    if not math.isfinite(number):
        raise SkippedQuestion(span.line, _("numeric answer: %(what)s %(text)s is out of range",
                                           what=name, text=quote(text)))
    return tidy_number(number)


def _with(entry: dict[str, Any], weight: float | None, feedback: str) -> dict[str, Any]:
    """Add the optional weight (only when not 100) and feedback (only when given)."""
    if weight is not None and weight != 100:
        entry["weight"] = tidy_number(weight)
    if feedback:
        entry["feedback"] = feedback
    return entry


# --- the question types ----------------------------------------------------------------------

_Warn = list[GiftProblem]


def _choice(inner: _Span, warn: _Warn) -> dict[str, Any]:
    """``~`` present: radio buttons when one ``=`` is right, checkboxes with weights otherwise."""
    answers: list[tuple[str, float, bool, str]] = []
    for mark, piece in inner.pieces("=~"):
        if mark == "":
            if not piece.strip().mask:
                continue
            warn.append(GiftProblem(piece.line, _("text before the first = or ~ is read as a "
                                                  "wrong answer"), "warning"))
        weight: float | None = 100.0 if mark == "=" else None
        if mark != "=":  # Moodle reads no weight after '=': '=%50%x' is literal text
            weight, piece = _weight(piece)
        body, feedback = _feedback(piece)
        text = _unmark(body).text()
        if not text:
            raise SkippedQuestion(piece.line, _("an answer is empty"))
        answers.append((text, weight or 0.0, mark == "=", feedback))
    if len(answers) < 2:
        raise SkippedQuestion(inner.line, _("a multiple choice question needs at least 2 "
                                            "answers"))
    right = sum(1 for answer in answers if answer[2])
    partial = any(w > 0 for _, w, is_right, _ in answers if not is_right)
    if right == 1 and not partial:
        if any(w < 0 for _, w, _, _ in answers):
            warn.append(GiftProblem(inner.line, _("negative weights on wrong answers are "
                                                  "ignored: a wrong single_choice answer scores 0"),
                                    "warning"))
        return {"type": "single_choice", "options": [
            _with({"text": text, "correct": is_right}, None, feedback)
            for text, _, is_right, feedback in answers]}
    if right:
        why = (_("several = answers: imported as multiple_response with weights") if right > 1
               else _("partial credit on a wrong answer: imported as multiple_response with "
                      "weights"))
        warn.append(GiftProblem(inner.line, why, "warning"))
    total = sum(w for _, w, _, _ in answers if w > 0)
    if not total:
        raise SkippedQuestion(inner.line, _("no answer has a positive weight"))
    if not right and abs(total - 100) > 0.01:
        warn.append(GiftProblem(inner.line, _("positive weights add up to %(total)s%%, not 100%%",
                                              total=format(total, "g")), "warning"))
    options = []
    for text, weight, _right, feedback in answers:
        option = {"text": text, "weight": tidy_number(weight)}
        options.append(_with(option, None, feedback))
    return {"type": "multiple_response", "options": options}


def _matching(inner: _Span) -> dict[str, Any]:
    pairs: list[dict[str, str]] = []
    distractors: list[str] = []
    seen: set[str] = set()
    for mark, piece in inner.pieces("="):
        if mark == "" and not piece.strip().mask:
            continue
        arrow = piece.find("->")
        if mark == "" or arrow < 0:
            raise SkippedQuestion(piece.strip().line,
                                  _("matching pairs are written '=left -> right'"))
        left = _unmark(piece.cut(0, arrow)).text()
        right = piece.cut(arrow + 2).strip().text()
        if not right:
            raise SkippedQuestion(piece.line, _("a matching pair has nothing after '->'"))
        if not left:  # '= -> x' is Moodle's distractor: a right-hand item that matches nothing
            distractors.append(right)
        elif left.casefold() in seen:
            raise SkippedQuestion(piece.line, _("matching left item %(item)s appears twice",
                                                item=quote(left)))
        else:
            seen.add(left.casefold())
            pairs.append({"left": left, "right": right})
    if len(pairs) < 2:
        raise SkippedQuestion(inner.line, _("a matching question needs at least 2 pairs"))
    fields: dict[str, Any] = {"type": "matching", "pairs": pairs}
    if distractors:
        fields["distractors"] = distractors
    return fields


def _true_false(inner: _Span) -> dict[str, Any]:
    # TRUE#feedback for the wrong choice#feedback for the right choice (later '#' are text)
    first = inner.find("#")
    second = inner.find("#", first + 1) if first >= 0 else -1
    answer = _TF_WORDS[inner.cut(0, first if first >= 0 else None).strip().mask]
    wrong = _unmark(inner.cut(first + 1, second if second >= 0 else None)).text() \
        if first >= 0 else ""
    right = _unmark(inner.cut(second + 1)).text() if second >= 0 else ""
    fields: dict[str, Any] = {"type": "true_false", "answer": answer}
    feedback_true, feedback_false = (right, wrong) if answer else (wrong, right)
    if feedback_true:
        fields["feedback_true"] = feedback_true
    if feedback_false:
        fields["feedback_false"] = feedback_false
    return fields


def _short_text(inner: _Span, warn: _Warn) -> dict[str, Any]:
    """Every ``=`` starts an accepted answer (text before the first ``=`` is one too)."""
    answers: list[tuple[str, float, str]] = []
    for mark, piece in inner.pieces("="):
        if mark == "" and not piece.strip().mask:
            continue
        weight, piece = _weight(piece, low=0)
        body, feedback = _feedback(piece)
        text = _unmark(body).text()
        if not text:
            raise SkippedQuestion(piece.line, _("an answer is empty"))
        if "*" in text:
            warn.append(GiftProblem(piece.line, _("'*' in answer %(answer)s is Moodle's "
                                                  "wildcard; we compare it as a literal '*'",
                                                  answer=quote(text)), "warning"))
        answers.append((text, 100.0 if weight is None else weight, feedback))
    if not any(weight == 100 for _, weight, _ in answers):
        raise SkippedQuestion(inner.line, _("a short answer question needs an answer worth "
                                            "100%"))
    if all(weight == 100 and not feedback for _, weight, feedback in answers):
        return {"type": "short_text", "answers": [text for text, _, _ in answers]}
    return {"type": "short_text", "answers": [
        _with({"text": text}, weight, feedback) for text, weight, feedback in answers]}


def _numeric(inner: _Span, warn: _Warn) -> dict[str, Any]:
    """``#value``, ``#value:tolerance``, ``#min..max``; several answers each start with ``=``."""
    body = inner.cut(1)
    other = body.find("~")
    if other >= 0:  # Moodle's "any other answer" feedback: our format has no place for it
        warn.append(GiftProblem(body.cut(other).line, _("feedback for any other numeric "
                                                        "answer is not supported (dropped)"),
                                "warning"))
        body = body.cut(0, other)
    pieces = body.pieces("=") if body.find("=") >= 0 else [("=", body)]
    answers = []
    for mark, piece in pieces:
        if mark == "" and not piece.strip().mask:
            continue
        weight, piece = _weight(piece, low=0)
        value, feedback = _feedback(piece)
        mask = value.mask
        # Moodle reads '..' or ':' as a separator only after the first character (-5..5).
        if mask.find("..") > 0:
            at = mask.find("..")
            low, high = _number(value.cut(0, at), "minimum"), _number(value.cut(at + 2), "maximum")
            if low > high:
                numbers = format(low, "g") + ".." + format(high, "g")
                raise SkippedQuestion(value.line, _("numeric range %(range)s: the minimum is "
                                                    "above the maximum", range=numbers))
            entry: dict[str, Any] = {"min": low, "max": high}
        elif mask.find(":") > 0:
            at = mask.find(":")
            tolerance = _number(value.cut(at + 1), "tolerance")
            if tolerance < 0:
                raise SkippedQuestion(value.line, _("numeric tolerance %(tolerance)s is negative",
                                                    tolerance=format(tolerance, "g")))
            entry = {"value": _number(value.cut(0, at), "value"), "tolerance": tolerance}
        else:
            entry = {"value": _number(value, "value"), "tolerance": 0}
        answers.append(_with(entry, weight, feedback))
    if not any(answer.get("weight", 100) == 100 for answer in answers):
        raise SkippedQuestion(inner.line, _("a numeric question needs an answer worth 100%"))
    return {"type": "numeric", "answers": answers}


# --- one question ----------------------------------------------------------------------------


def parse_question(lines: list[tuple[int, str]], warnings: list[GiftProblem]) -> dict[str, Any]:
    """Read a block's non-comment ``(line number, text)`` lines into question fields.

    Returns ``title`` (may be empty), ``prompt``, ``explanation`` (may be empty), ``type`` and the
    type's fields; appends warnings; raises ``SkippedQuestion`` for what cannot be imported.
    """
    block = _Block.of(lines)
    span = _Span(block, 0, len(block.raw)).strip()
    line = span.line
    title = ""
    if span.mask.startswith("::"):
        close = span.find("::", 2)
        if close < 0:
            warnings.append(GiftProblem(line, _("the title has no closing '::'; read as "
                                                "question text"), "warning"))
            span = span.cut(2)
        else:
            title = span.cut(2, close).strip().text()
            span = span.cut(close + 2)
    span = _unmark(span)
    opening, closing = span.find("{"), span.find("}")
    if opening < 0 and closing < 0:
        raise SkippedQuestion(line, _("description items are not supported (skipped)"),
                              "warning")
    if closing < 0:
        raise SkippedQuestion(span.cut(opening).line, _("missing brace: the '{' is never closed"))
    if opening < 0 or closing < opening:
        raise SkippedQuestion(span.cut(closing).line, _("missing brace: '}' without a '{' before "
                                                        "it (write a literal brace as \\})"))
    inner, after = span.cut(opening + 1, closing), span.cut(closing + 1)
    for part, brace in ((inner, "{"), (after, "{"), (after, "}")):
        if part.find(brace) >= 0:
            raise SkippedQuestion(part.cut(part.find(brace)).line,
                                  _("only one answer block per question: write a literal "
                                    "%(brace)s as %(escaped)s", brace=quote(brace),
                                    escaped="'\\" + brace + "'"))
    explanation = ""
    general = inner.mask.rfind("####")
    if general >= 0:
        explanation = _unmark(inner.cut(general + 4)).text()
        inner = inner.cut(0, general)
    inner = inner.strip()
    mask = inner.mask
    if not mask:
        raise SkippedQuestion(line, _("essay questions are not supported (skipped)"), "warning")
    before = span.cut(0, opening)
    # Missing-word layout: text after the answer block means the block stood inside the prompt.
    prompt = (before.text() + BLANK + after.text()) if after.strip().mask \
        else before.strip().text()
    if not prompt.strip():
        raise SkippedQuestion(line, _("the question has no text"))
    if mask.startswith("#"):
        fields = _numeric(inner, warnings)
    elif "~" in mask:
        fields = _choice(inner, warnings)
    elif "=" in mask and "->" in mask:
        fields = _matching(inner)
    elif mask.split("#", 1)[0].strip() in _TF_WORDS:
        fields = _true_false(inner)
    else:
        fields = _short_text(inner, warnings)
    return {"title": title, "prompt": prompt, "explanation": explanation, **fields}
