"""Reading the learner's pages as a browser would: the CSRF token, an attempt's quiz form, and
answers to send for some of its questions."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')

#: Short answers a learner might type; graded right or wrong, they only need to be stored.
_WORDS = ("Brewline", "the Office B60", "BrewLink", "a water cooler", "Maalwerk", "renewal")


def csrf_token(html: str) -> str | None:
    match = _CSRF.search(html)
    return match.group(1) if match else None


@dataclass
class Question:
    """One question of the form: its answer fields, as (kind, name, values)."""

    id: str
    fields: dict[str, tuple[str, list[str]]] = field(default_factory=dict)


class _QuizFormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.questions: list[Question] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name", "")
        if tag == "input" and name == "shown":
            # Each question's fields follow its hidden "shown" marker (ids may contain '-').
            self.questions.append(Question(a.get("value", "")))
        elif not self.questions or not name.startswith("q-"):
            if tag == "select":
                self._select = None
        elif tag == "input":
            kind = a.get("type", "text")
            if kind == "text" and a.get("inputmode") == "decimal":
                kind = "number"
            _, values = self.questions[-1].fields.setdefault(name, (kind, []))
            if kind in ("radio", "checkbox"):
                values.append(a.get("value", ""))
        elif tag == "select":
            self._select = name
            self.questions[-1].fields[name] = ("select", [])
        if tag == "option" and self._select and a.get("value"):
            self.questions[-1].fields[self._select][1].append(a["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def quiz_form(html: str) -> list[Question]:
    """The questions on an attempt page, in page order."""
    parser = _QuizFormParser()
    parser.feed(html)
    parser.close()
    return parser.questions


def answers(questions: list[Question], rng: random.Random) -> list[tuple[str, str]]:
    """Form fields answering every question in ``questions`` (random, not necessarily right),
    with the "shown" markers the page sends along."""
    data: list[tuple[str, str]] = []
    for question in questions:
        data.append(("shown", question.id))
        for name, (kind, values) in question.fields.items():
            if kind == "radio":
                data.append((name, rng.choice(values)))
            elif kind == "checkbox":
                data.extend((name, v) for v in rng.sample(values, rng.randint(1, len(values))))
            elif kind == "select":
                data.append((name, rng.choice(values)))
            elif kind == "number":
                data.append((name, str(rng.randint(1, 500))))
            else:
                data.append((name, rng.choice(_WORDS)))
    return data
