"""Grading one response per question type, with scores worked out by hand (docs/authoring.md)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.content.documents import (
    Choice,
    Matching,
    MultipleResponse,
    Numeric,
    NumericAnswer,
    Pair,
    QuestionBase,
    ShortText,
    SingleChoice,
    TextAnswer,
    TrueFalse,
)
from lms.quiz.grading import (
    correct_response,
    describe_correct_answer,
    grade,
    grade_matching,
    grade_multiple_response,
    grade_numeric,
    grade_short_text,
    grade_single_choice,
    grade_true_false,
    parse_number,
)

SC = SingleChoice(id="sc", prompt="?", options=(
    Choice(text="Compact", feedback="Too small."), Choice(text="Bean-to-cup", correct=True,
                                                          feedback="Right."),
    Choice(text="Office")))
# Options 0-2 are correct (C = 3), 3-4 are wrong (W = 2).
MR = MultipleResponse(id="mr", prompt="?", points=3, options=tuple(
    Choice(text=text, correct=index < 3, feedback=f"fb {text}" if index == 3 else None)
    for index, text in enumerate("ABCDE")))
TF = TrueFalse(id="tf", prompt="?", answer=False, feedback_true="No.", feedback_false="Yes.")
NUM = Numeric(id="n", prompt="?", unit="cups", answers=(
    NumericAnswer(value=12, tolerance=0.5, feedback="Spot on."),
    NumericAnswer(min=10, max=15, weight=50, feedback="Close."),
    NumericAnswer(value=20, weight=25)))
ST = ShortText(id="s", prompt="?", answers=(
    TextAnswer(text="Care Plus"), TextAnswer(text="care  plus"),
    TextAnswer(text="Care", weight=50, feedback="Say the full name.")))
MATCH = Matching(id="m", prompt="?", points=3, distractors=("4",), pairs=(
    Pair(left="A", right="1"), Pair(left="B", right="2"), Pair(left="C", right="3")))


def weighted(*weights: float) -> MultipleResponse:
    return MultipleResponse(id="w", prompt="?", options=tuple(
        Choice(text=f"o{i}", weight=w, correct=w > 0) for i, w in enumerate(weights)))


def test_single_choice() -> None:
    right = grade_single_choice(SC, 1)
    assert (right.points, right.max_points, right.correct) == (1.0, 1.0, "correct")
    assert right.feedback == ["Right."]
    assert right.detail == "Correct option chosen: 1 of 1 point"
    wrong = grade_single_choice(SC, 0)
    assert (wrong.points, wrong.correct, wrong.feedback) == (0.0, "incorrect", ["Too small."])
    assert grade_single_choice(SC, 2).feedback == []


@pytest.mark.parametrize(("chosen", "points", "outcome"), [
    ([0, 1, 2], 3.0, "correct"),
    ([0, 1], 2.0, "partial"),                 # 3 × 2/3
    ([2, 0, 3], 0.5, "partial"),              # 3 × (2/3 − 1/2)
    ([0, 3, 4], 0.0, "incorrect"),            # 1/3 − 2/2 < 0
    ([0, 1, 2, 3, 4], 0.0, "incorrect"),      # selecting everything scores 0
    ([0, 1, 2, 3], 1.5, "partial"),           # 3 × (1 − 1/2)
    ([1, 1, 1], 1.0, "partial"),              # a repeated index counts once
])
def test_multiple_response_partial_credit(chosen: list[int], points: float, outcome: str) -> None:
    graded = grade_multiple_response(MR, chosen)
    assert (graded.points, graded.correct) == (points, outcome)


def test_multiple_response_detail_rounding_and_feedback() -> None:
    graded = grade_multiple_response(replace(MR, points=1), [0, 1, 3])
    assert graded.points == 0.1667                          # 2/3 − 1/2 = 1/6
    assert graded.detail == ("2 of 3 correct options chosen, 1 wrong option chosen: "
                             "0.17 of 1 point")
    assert graded.feedback == ["fb D"]


def test_multiple_response_without_wrong_options() -> None:
    question = MultipleResponse(id="q", prompt="?", options=(
        Choice(text="a", correct=True), Choice(text="b", correct=True)))
    assert grade_multiple_response(question, [1]).points == 0.5      # the w/W term is 0


@pytest.mark.parametrize(("chosen", "points"), [
    ([0, 1, 2], 3.0), ([0, 1], 0.0), ([0, 1, 2, 3], 0.0),
])
def test_multiple_response_all_or_nothing(chosen: list[int], points: float) -> None:
    graded = grade(MR, chosen, multiple_response_scoring="all_or_nothing")
    assert graded.points == points
    if not points:
        assert "only the exact set of correct options scores" in graded.detail


@pytest.mark.parametrize(("weights", "chosen", "points"), [
    ((50, 50, -50, -100), [0], 0.5),
    ((50, 50, -50, -100), [0, 1], 1.0),
    ((50, 50, -50, -100), [0, 2], 0.0),
    ((50, 50, -50, -100), [0, 1, 2], 0.5),
    ((50, 50, -50, -100), [3], 0.0),                      # −100 % is clamped to 0
    ((100, 100, -50), [0, 1], 1.0),                       # 200 % is clamped to 100 %
    ((33.33333, 33.33333, 33.33333, -100), [0, 1, 2], 1.0),   # Moodle's thirds are full marks
    ((33.33333, 33.33333, 33.33333, -100), [0, 1], 0.6667),
    ((40, 40, 0), [0, 1], 0.8),                           # weights under 100 %: never full marks
])
def test_multiple_response_weights(weights: tuple[float, ...], chosen: list[int],
                                   points: float) -> None:
    for scoring in ("partial", "all_or_nothing"):        # weights take precedence over the setting
        assert grade(weighted(*weights), chosen, multiple_response_scoring=scoring).points == points


def test_moodle_thirds_are_full_marks_at_any_points() -> None:
    thirds = replace(weighted(33.33333, 33.33333, 33.33333), points=1000)
    assert grade(thirds, [0, 1, 2]).points == 1000.0
    assert grade(thirds, [0, 1]).points == 666.6666


def test_multiple_response_weight_detail() -> None:
    assert grade(weighted(50, -100), [0, 1]).detail == (
        "The chosen options are worth -50 % together, counted as 0 %: 0 of 1 point")
    assert grade(weighted(100, 100), [0, 1]).detail.endswith("counted as 100 %: 1 of 1 point")


@pytest.mark.parametrize(("response", "points", "feedback"), [
    (False, 1.0, ["Yes."]), (True, 0.0, ["No."]),
])
def test_true_false(response: bool, points: float, feedback: list[str]) -> None:
    graded = grade_true_false(TF, response)
    assert (graded.points, graded.feedback) == (points, feedback)
    assert grade_true_false(TF, True).detail == (
        "“True” is wrong: the statement is false: 0 of 1 point")


@pytest.mark.parametrize(("response", "points", "feedback"), [
    ("12", 1.0, ["Spot on."]),
    ("12,5", 1.0, ["Spot on."]),              # decimal comma, tolerance boundary included
    (" +11.5 ", 1.0, ["Spot on."]),
    ("12.5 cups", 1.0, ["Spot on."]),         # the question's unit may be typed
    ("12,5 CUPS", 1.0, ["Spot on."]),
    ("12.6", 0.5, ["Close."]),                # only the 50 % range matches
    ("10", 0.5, ["Close."]),                  # range bounds are included
    ("15.", 0.5, ["Close."]),
    ("20", 0.25, []),
    ("-12", 0.0, []),
    ("15.01", 0.0, []),
    (12, 1.0, ["Spot on."]),                  # a number stored by a caller
    (12.4, 1.0, ["Spot on."]),
])
def test_numeric(response: object, points: float, feedback: list[str]) -> None:
    graded = grade_numeric(NUM, response)
    assert (graded.points, graded.feedback) == (points, feedback)


def test_numeric_best_answer_counts_and_details() -> None:
    both = Numeric(id="n", prompt="?", answers=(
        NumericAnswer(min=0, max=100, weight=10), NumericAnswer(value=7)))
    assert grade_numeric(both, "7").points == 1.0         # the best match, not the first
    assert grade_numeric(NUM, "12,5").detail == "12.5 is within 0.5 of 12: 1 of 1 point"
    assert grade_numeric(NUM, "14").detail == "14 is between 10 and 15 (worth 50 %): 0.5 of 1 point"
    assert grade_numeric(both, "7.0").detail == "7 is the expected 7: 1 of 1 point"
    assert grade_numeric(NUM, "3").detail == "3 is not an accepted answer: 0 of 1 point"


def test_numeric_compares_decimals_not_floats() -> None:
    question = Numeric(id="n", prompt="?", answers=(NumericAnswer(value=1.0, tolerance=0.1),))
    assert 1.1 - 1.0 > 0.1                               # why floats would get this wrong
    assert grade_numeric(question, "1,1").points == 1.0
    assert grade_numeric(question, "0.9").points == 1.0
    assert grade_numeric(question, "1.1000001").points == 0.0


@pytest.mark.parametrize("text", ["1.234,5", "1,234.5", "1 234", "12,5,0", "abc", "1e3", "--1",
                                  "12 cupsx", "inf", "NaN", "½", "+", ","])
def test_numeric_refuses_what_is_not_a_number(text: str) -> None:
    graded = grade_numeric(NUM, text)
    assert (graded.points, graded.correct) == (0.0, "incorrect")
    assert "is not a number" in graded.detail


def test_parse_number() -> None:
    assert parse_number("1,234") == parse_number("1.234")    # a single comma is a decimal comma
    assert parse_number(",5") == parse_number("0.5")
    assert parse_number("125", unit="5") == 125              # the unit goes only when it must
    assert parse_number("1.234,5") is None


@pytest.mark.parametrize(("response", "points", "feedback"), [
    ("Care Plus", 1.0, []),
    ("  care \t PLUS ", 1.0, []),
    ("CARE", 0.5, ["Say the full name."]),
    ("careplus", 0.0, []),
    ("Care Plus Gold", 0.0, []),
])
def test_short_text(response: str, points: float, feedback: list[str]) -> None:
    graded = grade_short_text(ST, response)
    assert (graded.points, graded.feedback) == (points, feedback)


def test_short_text_detail_and_unicode() -> None:
    assert grade_short_text(ST, "care").detail == (
        "“care” is an accepted answer (worth 50 %): 0.5 of 1 point")
    cafe = ShortText(id="c", prompt="?", answers=(TextAnswer(text="Café"),))
    assert grade_short_text(cafe, "CAFE\u0301").points == 1.0       # decomposed é
    assert grade_short_text(ST, "x" * 100).detail.startswith("“" + "x" * 39 + "…”")


@pytest.mark.parametrize(("response", "points", "outcome"), [
    (["1", "2", "3"], 3.0, "correct"),
    (["1", "2", "4"], 2.0, "partial"),          # a distractor earns nothing
    (["1", None, ""], 1.0, "partial"),
    (["2", "1", "3"], 1.0, "partial"),
    (("3", "3", "3"), 1.0, "partial"),
    ([None, None, None], 0.0, "unanswered"),
    (["", "", ""], 0.0, "unanswered"),
])
def test_matching(response: list[str | None], points: float, outcome: str) -> None:
    graded = grade_matching(MATCH, response)
    assert (graded.points, graded.correct) == (points, outcome)


def test_matching_detail_and_shared_right_items() -> None:
    assert grade_matching(MATCH, ["1", "2", "4"]).detail == (
        "2 of 3 pairs matched correctly: 2 of 3 points")
    shared = Matching(id="m", prompt="?", pairs=(Pair(left="a", right="x"),
                                                 Pair(left="b", right="x")))
    assert grade_matching(shared, ["x", "x"]).points == 1.0


@pytest.mark.parametrize("question", [SC, MR, TF, NUM, ST, MATCH])
@pytest.mark.parametrize("blank", [None, "", "   ", []])
def test_blank_is_unanswered(question: QuestionBase, blank: object) -> None:
    graded = grade(question, blank)  # type: ignore[arg-type]
    assert graded.points == 0.0
    assert graded.correct in {"unanswered", "incorrect"}
    if blank is None:
        assert graded.correct == "unanswered"
        worth = "3 points" if question.points == 3 else "1 point"
        assert graded.detail == f"Not answered: 0 of {worth}"


@pytest.mark.parametrize(("question", "response"), [
    (SC, 3), (SC, -1), (SC, True), (SC, "1"), (SC, 1.0), (SC, [1]),
    (MR, [0, 5]), (MR, [-1]), (MR, [True]), (MR, ["0"]), (MR, 0), (MR, {0: True}), (MR, [[0]]),
    (TF, "true"), (TF, 1), (TF, [True]),
    (NUM, True), (NUM, ["12"]), (NUM, float("nan")), (NUM, float("inf")), (NUM, {"v": 12}),
    (ST, 12), (ST, ["Care Plus"]),
    (MATCH, {"0": "1"}), (MATCH, ["1", "2"]), (MATCH, ["1", "2", "3", "4"]), (MATCH, [1, 2, 3]),
    (MATCH, "123"),
])
def test_malformed_responses_score_zero(question: QuestionBase, response: object) -> None:
    graded = grade(question, response)  # type: ignore[arg-type]
    assert (graded.points, graded.correct) == (0.0, "incorrect")
    assert graded.detail.startswith("Answer not recognised") or "not a number" in graded.detail


def test_grade_refuses_unknown_question_types() -> None:
    with pytest.raises(TypeError):
        grade(QuestionBase(id="x", prompt="?"), None)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        grade(MR, [0], multiple_response_scoring="most")


@pytest.mark.parametrize(("question", "expected"), [
    (SC, 1), (MR, [0, 1, 2]), (TF, False), (NUM, "12"), (ST, "Care Plus"),
    (MATCH, ["1", "2", "3"]), (weighted(50, -50, 50), [0, 2]),
])
def test_correct_response(question: QuestionBase, expected: object) -> None:
    response = correct_response(question)  # type: ignore[arg-type]
    assert response == expected
    assert grade(question, response).correct == "correct"  # type: ignore[arg-type]


@pytest.mark.parametrize(("question", "expected"), [
    (SC, "Bean-to-cup"),
    (MR, "A; B; C"),
    (weighted(50, -50, 50), "o0 (50 %); o2 (50 %)"),
    (TF, "False"),
    (NUM, "12 ± 0.5 cups"),
    (Numeric(id="n", prompt="?", answers=(NumericAnswer(min=1.5, max=2),
                                          NumericAnswer(value=0.00001))), "1.5 to 2 or 0.00001"),
    (ST, "any of: Care Plus, care  plus"),
    (ShortText(id="s", prompt="?", answers=(TextAnswer(text="Brewline"),)), "Brewline"),
    (MATCH, "A → 1; B → 2; C → 3"),
])
def test_describe_correct_answer(question: QuestionBase, expected: str) -> None:
    assert describe_correct_answer(question) == expected  # type: ignore[arg-type]


# --- properties: every valid question, every response ----------------------------------------

TEXT = st.text(min_size=1, max_size=8).filter(str.strip)
POINTS = st.integers(1, 10) | st.floats(0.01, 100)
FEEDBACK = st.none() | TEXT


def _common(draw: st.DrawFn) -> dict:
    return {"id": "q", "prompt": "?", "points": draw(POINTS)}


@st.composite
def single_choices(draw: st.DrawFn) -> SingleChoice:
    count = draw(st.integers(2, 6))
    right = draw(st.integers(0, count - 1))
    return SingleChoice(**_common(draw), options=tuple(
        Choice(text=draw(TEXT), correct=i == right, feedback=draw(FEEDBACK)) for i in range(count)))


@st.composite
def multiple_responses(draw: st.DrawFn) -> MultipleResponse:
    flags = draw(st.lists(st.booleans(), min_size=2, max_size=6).filter(any))
    return MultipleResponse(**_common(draw), options=tuple(
        Choice(text=draw(TEXT), correct=flag, feedback=draw(FEEDBACK)) for flag in flags))


@st.composite
def weighted_responses(draw: st.DrawFn) -> MultipleResponse:
    """Valid weighted questions: positive weights reach at least 100 %."""
    positive = draw(st.lists(st.floats(1, 100), min_size=1, max_size=4)
                    | st.just([33.33333] * 3))      # Moodle's thirds
    if sum(positive) < 100:
        positive[-1] = 100 - sum(positive[:-1])
    weights = positive + draw(st.lists(st.floats(-100, 0), max_size=3))
    weights = draw(st.permutations(weights))
    return MultipleResponse(**_common(draw), options=tuple(
        Choice(text=f"o{i}", weight=w, correct=w > 0) for i, w in enumerate(weights)))


@st.composite
def numerics(draw: st.DrawFn) -> Numeric:
    number = st.floats(-1e6, 1e6)
    answers = []
    for _ in range(draw(st.integers(1, 4))):
        weight = draw(st.sampled_from([100, 50]) | st.floats(0, 100))
        if draw(st.booleans()):
            answers.append(NumericAnswer(value=draw(number), tolerance=draw(
                st.just(0) | st.floats(0, 100)), weight=weight))
        else:
            low, high = sorted((draw(number), draw(number)))
            answers.append(NumericAnswer(min=low, max=high, weight=weight))
    full = draw(st.integers(0, len(answers) - 1))
    answers[full] = replace(answers[full], weight=100)
    return Numeric(**_common(draw), answers=tuple(answers), unit=draw(st.none() | TEXT))


@st.composite
def short_texts(draw: st.DrawFn) -> ShortText:
    answers = draw(st.lists(st.builds(TextAnswer, text=TEXT, weight=st.floats(0, 100)),
                            min_size=1, max_size=4))
    answers.insert(draw(st.integers(0, len(answers))), TextAnswer(text=draw(TEXT)))
    return ShortText(**_common(draw), answers=tuple(answers))


@st.composite
def matchings(draw: st.DrawFn) -> Matching:
    lefts = draw(st.lists(TEXT, min_size=2, max_size=5, unique_by=str.casefold))
    return Matching(**_common(draw), distractors=tuple(draw(st.lists(TEXT, max_size=3))),
                    pairs=tuple(Pair(left=left, right=draw(TEXT)) for left in lefts))


QUESTIONS = st.one_of(
    single_choices(), multiple_responses(), weighted_responses(), numerics(), short_texts(),
    matchings(), st.builds(TrueFalse, id=st.just("q"), prompt=st.just("?"), points=POINTS,
                           answer=st.booleans()))
GARBAGE = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 8) | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=10)
SCORING = st.sampled_from(["partial", "all_or_nothing"])


def plausible(question: QuestionBase) -> st.SearchStrategy:
    """Responses of the right shape, right or wrong, so the property reaches real scoring."""
    if isinstance(question, SingleChoice | MultipleResponse):
        index = st.integers(0, len(question.options) - 1)
        return index if isinstance(question, SingleChoice) else st.lists(index, max_size=6)
    if isinstance(question, Numeric):
        return st.floats(-1e6, 1e6).map(lambda x: str(x).replace(".", ",")) | st.text(
            "0123456789.,+- ", max_size=8)
    if isinstance(question, ShortText):
        return st.sampled_from([a.text.upper() for a in question.answers]) | st.text(max_size=8)
    if isinstance(question, Matching):
        items = [p.right for p in question.pairs] + list(question.distractors) + [None]
        return st.lists(st.sampled_from(items), min_size=len(question.pairs),
                        max_size=len(question.pairs))
    return st.booleans()


@settings(database=None, max_examples=300, deadline=None)
@given(question=QUESTIONS, scoring=SCORING, data=st.data())
def test_points_stay_within_the_question(question: QuestionBase, scoring: str,
                                        data: st.DataObject) -> None:
    response = data.draw(plausible(question) | GARBAGE)
    graded = grade(question, response, multiple_response_scoring=scoring)  # type: ignore[arg-type]
    assert 0 <= graded.points <= question.points
    assert graded.max_points == question.points
    assert graded.correct in {"correct", "partial", "incorrect", "unanswered"}
    assert (graded.correct == "correct") == (graded.points == question.points)
    assert graded.correct != "unanswered" or graded.points == 0


@settings(database=None, max_examples=300, deadline=None)
@given(question=QUESTIONS, scoring=SCORING)
def test_correct_response_scores_full_marks(question: QuestionBase, scoring: str) -> None:
    graded = grade(question, correct_response(question),  # type: ignore[arg-type]
                   multiple_response_scoring=scoring)
    assert (graded.points, graded.correct) == (question.points, "correct")
    assert describe_correct_answer(question)  # type: ignore[arg-type]
