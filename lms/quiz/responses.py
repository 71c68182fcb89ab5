"""A learner's response in plain words, for the result page ("Your answer: …")."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from lms.content.documents import Matching, MultipleResponse, Question, SingleChoice, TrueFalse


def describe_response(question: Question, response: Any) -> str:
    """What the learner answered; "No answer" when blank. Never raises on odd responses."""
    if response is None or response == [] or response == "":
        return _("No answer")
    try:
        if isinstance(question, SingleChoice):
            return question.options[int(response)].text
        if isinstance(question, MultipleResponse):
            return "; ".join(question.options[int(i)].text for i in response) or _("No answer")
        if isinstance(question, TrueFalse):
            return (_("True") if response is True else _("False") if response is False
                    else _("No answer"))
        if isinstance(question, Matching):
            if not isinstance(response, list):
                raise TypeError("a matching response is a list")
            none = _("(none)")
            return "; ".join(f"{pair.left} → {chosen or none}"
                             for pair, chosen in zip(question.pairs, response, strict=False))
    except (IndexError, TypeError, ValueError):
        return _("An answer that could not be read")
    return str(response).strip() or _("No answer")
