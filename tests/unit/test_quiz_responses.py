"""describe_response: what the result page says the learner answered."""

from __future__ import annotations

import pytest

from lms.content.documents import (
    Choice,
    Matching,
    MultipleResponse,
    Numeric,
    NumericAnswer,
    Pair,
    SingleChoice,
    TrueFalse,
)
from lms.quiz.responses import describe_response

SC = SingleChoice(id="a", prompt="?", options=(Choice(text="Office", correct=True),
                                               Choice(text="Pro")))
MR = MultipleResponse(id="b", prompt="?", options=(Choice(text="A", correct=True),
                                                   Choice(text="B"), Choice(text="C")))
TF = TrueFalse(id="c", prompt="?", answer=False)
NUM = Numeric(id="d", prompt="?", answers=(NumericAnswer(value=60),), unit="cups")
MAT = Matching(id="e", prompt="?", pairs=(Pair(left="C1", right="25"),
                                          Pair(left="B60", right="60")))


@pytest.mark.parametrize(("question", "response", "expected"), [
    (SC, 1, "Pro"), (SC, None, "No answer"), (SC, 7, "An answer that could not be read"),
    (MR, [0, 2], "A; C"), (MR, [], "No answer"),
    (TF, True, "True"), (TF, False, "False"),
    (NUM, " 59,5 ", "59,5"), (NUM, "", "No answer"),
    (MAT, ["60", None], "C1 → 60; B60 → (none)"),
    (MAT, "garbage", "An answer that could not be read"),
])
def test_describe_response(question, response, expected):
    assert describe_response(question, response) == expected
