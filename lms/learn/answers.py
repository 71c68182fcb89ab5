"""Reading quiz answers out of a submitted form, as the plain responses grading expects.

Field names: ``q-<question id>`` for a question's answer, ``q-<question id>-<pair index>`` for
each row of a matching question. Choice values are option indexes in file order.
"""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from lms.content.documents import (
    Matching,
    MultipleResponse,
    Numeric,
    Question,
    ShortText,
    SingleChoice,
    TrueFalse,
)


def _index(value: str | None) -> int | None:
    # isdigit() alone accepts "²", which int() refuses.
    return int(value) if value is not None and value.isascii() and value.isdigit() else None


def response_from_form(question: Question, form: MultiDict[str, str]) -> Any:
    name = f"q-{question.id}"
    if isinstance(question, SingleChoice):
        return _index(form.get(name))
    if isinstance(question, MultipleResponse):
        return sorted({i for v in form.getlist(name) if (i := _index(v)) is not None})
    if isinstance(question, TrueFalse):
        return {"true": True, "false": False}.get(form.get(name, ""))
    if isinstance(question, Numeric | ShortText):
        value = form.get(name, "")
        return value[:200] if value.strip() else None
    if isinstance(question, Matching):
        chosen = [form.get(f"{name}-{i}") or None for i in range(len(question.pairs))]
        return chosen if any(chosen) else None
    return None


def responses_from_form(questions: list[Question], form: MultiDict[str, str]) -> dict[str, Any]:
    """Only questions present on the page are read, so a partial save keeps the others."""
    present = {key.split("-", 1)[1] for key in form if key.startswith("q-")} | set(
        form.getlist("shown"))
    return {q.id: response_from_form(q, form) for q in questions if q.id in present}
