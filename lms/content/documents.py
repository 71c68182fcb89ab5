"""The parsed forms of trainers' files: modules, quizzes and learning paths (see docs/authoring.md).

Every document keeps its source ``path`` and the 1-based line of each field (``lines``) and of each
list item (``item_lines`` / ``line``), so later checks can point an author at the exact spot.
Documents are frozen: the same parsed object may be shared by caches and requests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import ClassVar, Literal

GradingMethod = Literal["highest", "last", "first", "average"]
RevealAnswers = Literal["never", "after_submit", "after_pass", "after_last_attempt"]
MultipleResponseScoring = Literal["partial", "all_or_nothing"]

GRADING_METHODS: tuple[str, ...] = ("highest", "last", "first", "average")
REVEAL_ANSWERS: tuple[str, ...] = ("never", "after_submit", "after_pass", "after_last_attempt")
MULTIPLE_RESPONSE_SCORING: tuple[str, ...] = ("partial", "all_or_nothing")



def _lines_field() -> Mapping[str, int]:
    # Line maps are bookkeeping: two documents with the same content are equal wherever they sit.
    return field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, kw_only=True)
class Located:
    """Where a document or item was read from."""

    path: str = ""
    line: int = 1
    #: field name -> line of that field
    lines: Mapping[str, int] = _lines_field()

    def line_of(self, name: str) -> int:
        """The line of field ``name``, or of the item itself when the field is absent."""
        return self.lines.get(name, self.line)


# --- modules ---------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ModuleDoc(Located):
    slug: str
    title: str
    category: str
    summary: str
    estimated_minutes: int
    objectives: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    prerequisites: tuple[str, ...] = ()
    quiz: str | None = None
    language: str = "en"
    #: the Markdown after the front matter
    body: str = ""
    #: line of the .md file on which ``body`` starts
    body_line: int = 1
    #: list field name -> line of each item (e.g. "prerequisites" -> (7, 8))
    item_lines: Mapping[str, tuple[int, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def item_line(self, name: str, index: int) -> int:
        lines = self.item_lines.get(name, ())
        return lines[index] if index < len(lines) else self.line_of(name)


# --- quizzes ---------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class QuizSettings(Located):
    pass_mark: float = 70
    #: None means unlimited
    max_attempts: int | None = None
    cooldown_minutes: int = 0
    grading_method: GradingMethod = "highest"
    shuffle_questions: bool = False
    shuffle_options: bool = False
    #: None means all questions
    draw: int | None = None
    #: None means no time limit
    time_limit_minutes: int | None = None
    reveal_answers: RevealAnswers = "after_submit"
    multiple_response_scoring: MultipleResponseScoring = "partial"


@dataclass(frozen=True, kw_only=True)
class Choice(Located):
    """An option of a single_choice or multiple_response question."""

    text: str
    correct: bool = False
    #: percent, -100..100; None unless the question is weighted (GIFT style)
    weight: float | None = None
    feedback: str | None = None


@dataclass(frozen=True, kw_only=True)
class NumericAnswer(Located):
    """Either ``value`` (with ``tolerance``) or ``min``/``max`` is set."""

    value: float | None = None
    tolerance: float = 0
    min: float | None = None
    max: float | None = None
    #: percent, 0..100
    weight: float = 100
    feedback: str | None = None

    @property
    def is_range(self) -> bool:
        return self.value is None


@dataclass(frozen=True, kw_only=True)
class TextAnswer(Located):
    text: str
    #: percent, 0..100
    weight: float = 100
    feedback: str | None = None


@dataclass(frozen=True, kw_only=True)
class Pair(Located):
    left: str
    right: str


@dataclass(frozen=True, kw_only=True)
class QuestionBase(Located):
    type: ClassVar[str] = ""
    id: str
    prompt: str
    points: float = 1
    explanation: str | None = None
    tags: tuple[str, ...] = ()
    #: A short name for question banks (GIFT ::title::); learners see the prompt only.
    title: str | None = None
    #: The question-bank category it came from (GIFT $CATEGORY), e.g. "Sales/Objections".
    category: str | None = None


@dataclass(frozen=True, kw_only=True)
class SingleChoice(QuestionBase):
    type: ClassVar[str] = "single_choice"
    options: tuple[Choice, ...] = ()


@dataclass(frozen=True, kw_only=True)
class MultipleResponse(QuestionBase):
    type: ClassVar[str] = "multiple_response"
    options: tuple[Choice, ...] = ()

    @property
    def weighted(self) -> bool:
        """True when options carry GIFT-style weights instead of ``correct``."""
        return any(option.weight is not None for option in self.options)


@dataclass(frozen=True, kw_only=True)
class TrueFalse(QuestionBase):
    type: ClassVar[str] = "true_false"
    answer: bool = True
    feedback_true: str | None = None
    feedback_false: str | None = None


@dataclass(frozen=True, kw_only=True)
class Numeric(QuestionBase):
    type: ClassVar[str] = "numeric"
    answers: tuple[NumericAnswer, ...] = ()
    unit: str | None = None


@dataclass(frozen=True, kw_only=True)
class ShortText(QuestionBase):
    type: ClassVar[str] = "short_text"
    answers: tuple[TextAnswer, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Matching(QuestionBase):
    type: ClassVar[str] = "matching"
    pairs: tuple[Pair, ...] = ()
    distractors: tuple[str, ...] = ()


Question = SingleChoice | MultipleResponse | TrueFalse | Numeric | ShortText | Matching

QUESTION_TYPES: Mapping[str, type[QuestionBase]] = MappingProxyType(
    {cls.type: cls for cls in (SingleChoice, MultipleResponse, TrueFalse, Numeric, ShortText,
                               Matching)}
)


@dataclass(frozen=True, kw_only=True)
class QuizDoc(Located):
    slug: str
    title: str
    description: str | None = None
    settings: QuizSettings = field(default_factory=QuizSettings)
    questions: tuple[Question, ...] = ()
    language: str = "en"


# --- learning paths --------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PathEntry(Located):
    module: str
    required: bool = True


@dataclass(frozen=True, kw_only=True)
class PathDoc(Located):
    slug: str
    title: str
    description: str | None = None
    certificate_validity_days: int | None = None
    modules: tuple[PathEntry, ...] = ()
    language: str = "en"
