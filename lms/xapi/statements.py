"""Build xAPI statements from plain values: pure, so the same record always gives the same
statement (same id, same payload), whoever asks (the API, the export, the outbox).

Ids are UUIDs (version 5) of the site's namespace (from its base URL) and the record's identity:
a module's first opening and its completion (person, module, time), one answered question of a
submitted attempt, one graded attempt. The attempt is the ``context.registration``, the module
the parent activity; people are accounts on the site (their id), or, when the site is
configured so, their email (``mbox``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

VERBS = "http://adlnet.gov/expapi/verbs/"
ACTIVITY_TYPES = "http://adlnet.gov/expapi/activities/"
PLATFORM = "Verkoopklaar"

#: Statement kinds in the order they are listed when they happen at the same moment.
EXPERIENCED, ANSWERED, GRADED, COMPLETED = 0, 1, 2, 3
KINDS = {EXPERIENCED: "experienced", ANSWERED: "answered", GRADED: "graded",
         COMPLETED: "completed"}
#: Our question types as xAPI interaction types (xAPI-Data Appendix C).
INTERACTION_TYPES = {"single_choice": "choice", "multiple_response": "choice",
                     "true_false": "true-false", "short_text": "fill-in",
                     "matching": "matching", "numeric": "numeric"}
NAME_LENGTH = 200


@dataclass(frozen=True)
class Site:
    """What every statement of one site shares."""

    base_url: str
    #: Identify people by email (mbox) rather than by their account on the site.
    agent_email: bool = False

    @property
    def home(self) -> str:
        return self.base_url.rstrip("/")

    @property
    def namespace(self) -> uuid.UUID:
        return uuid.uuid5(uuid.NAMESPACE_URL, self.home + "/xapi")

    def activity(self, *parts: str) -> str:
        return f"{self.home}/xapi/activities/" + "/".join(quote(p, safe="") for p in parts)


@dataclass(frozen=True)
class Person:
    id: int
    email: str


@dataclass(frozen=True)
class Titled:
    """A module or quiz as the record saw it: its slug, and its title in that version."""

    slug: str
    title: str
    language: str


@dataclass(frozen=True)
class AnsweredQuestion:
    question_id: str
    question_type: str | None  # None when the quiz version no longer parses
    prompt: str
    response: str
    correct: bool
    saved_at: datetime


@dataclass(frozen=True)
class Graded:
    points: float
    max_points: float
    passed: bool
    started_at: datetime
    submitted_at: datetime


def statement_id(site: Site, kind: int, record_id: int, at: datetime) -> str:
    """The stable id of a statement of ``kind`` about record ``record_id`` at ``at``."""
    name = f"{KINDS[kind]}:{record_id}"
    if kind in (EXPERIENCED, COMPLETED):  # a module's events are also pinned to their time
        name += f":{iso(at)}"
    return str(uuid.uuid5(site.namespace, name))


def registration(site: Site, attempt_id: int) -> str:
    return str(uuid.uuid5(site.namespace, f"attempt:{attempt_id}"))


def iso(moment: datetime) -> str:
    """UTC with milliseconds and a Z: ``2024-05-02T09:30:12.345Z``."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def duration(span: timedelta) -> str:
    """An ISO 8601 duration to the hundredth of a second: ``PT12M3.5S``."""
    hundredths = max(0, round(span.total_seconds() * 100))
    hours, rest = divmod(hundredths, 360000)
    minutes, rest = divmod(rest, 6000)
    seconds = f"{rest / 100:.2f}".rstrip("0").rstrip(".")
    out = "PT"
    if hours:
        out += f"{hours}H"
    if minutes:
        out += f"{minutes}M"
    if seconds != "0" or out == "PT":
        out += f"{seconds}S"
    return out


def _verb(name: str) -> dict[str, Any]:
    return {"id": VERBS + name, "display": {"en-US": name}}


def agent(site: Site, person: Person) -> dict[str, Any]:
    if site.agent_email:
        return {"objectType": "Agent", "mbox": f"mailto:{person.email}"}
    return {"objectType": "Agent", "account": {"homePage": site.home, "name": str(person.id)}}


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= NAME_LENGTH else text[:NAME_LENGTH - 1] + "…"


def _language(tag: str) -> str:
    return tag or "en"


def module_activity(site: Site, module: Titled) -> dict[str, Any]:
    return {"objectType": "Activity", "id": site.activity("module", module.slug),
            "definition": {"type": ACTIVITY_TYPES + "module",
                           "name": {_language(module.language): _short(module.title)}}}


def quiz_activity(site: Site, quiz: Titled) -> dict[str, Any]:
    return {"objectType": "Activity", "id": site.activity("quiz", quiz.slug),
            "definition": {"type": ACTIVITY_TYPES + "assessment",
                           "name": {_language(quiz.language): _short(quiz.title)}}}


def question_activity(site: Site, quiz: Titled, answer: AnsweredQuestion) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "type": ACTIVITY_TYPES + "cmi.interaction",
        "interactionType": INTERACTION_TYPES.get(answer.question_type or "", "other")}
    if answer.prompt.strip():
        definition["name"] = {_language(quiz.language): _short(answer.prompt)}
    return {"objectType": "Activity",
            "id": site.activity("quiz", quiz.slug, "question", answer.question_id),
            "definition": definition}


def _parent_only(site: Site, module: Titled | None) -> dict[str, Any]:
    return {"parent": [module_activity(site, module)]} if module else {}


def experienced(site: Site, record_id: int, person: Person, module: Titled,
                at: datetime) -> dict[str, Any]:
    """The person opened the module (for the first time)."""
    return {"id": statement_id(site, EXPERIENCED, record_id, at), "actor": agent(site, person),
            "verb": _verb("experienced"), "object": module_activity(site, module),
            "context": {"platform": PLATFORM}, "timestamp": iso(at)}


def completed(site: Site, record_id: int, person: Person, module: Titled,
              at: datetime) -> dict[str, Any]:
    """The module is complete: read and, with a quiz, passed."""
    return {"id": statement_id(site, COMPLETED, record_id, at), "actor": agent(site, person),
            "verb": _verb("completed"), "object": module_activity(site, module),
            "result": {"completion": True}, "context": {"platform": PLATFORM},
            "timestamp": iso(at)}


def _attempt_context(site: Site, attempt_id: int, language: str,
                     activities: dict[str, Any]) -> dict[str, Any]:
    context: dict[str, Any] = {"registration": registration(site, attempt_id),
                               "platform": PLATFORM, "language": _language(language)}
    if activities:
        context["contextActivities"] = activities
    return context


def answered(site: Site, record_id: int, person: Person, attempt_id: int, quiz: Titled,
             module: Titled | None, answer: AnsweredQuestion) -> dict[str, Any]:
    """One answer of a submitted attempt, with whether it was right."""
    activities: dict[str, Any] = {"parent": [quiz_activity(site, quiz)]}
    if module:
        activities["grouping"] = [module_activity(site, module)]
    return {"id": statement_id(site, ANSWERED, record_id, answer.saved_at),
            "actor": agent(site, person), "verb": _verb("answered"),
            "object": question_activity(site, quiz, answer),
            "result": {"response": answer.response, "success": answer.correct},
            "context": _attempt_context(site, attempt_id, quiz.language, activities),
            "timestamp": iso(answer.saved_at)}


def score(points: float, max_points: float) -> dict[str, Any] | None:
    """raw/min/max/scaled, or None when the quiz had no points to score."""
    if max_points <= 0:
        return None
    low = min(0.0, points)
    scaled = max(-1.0, min(1.0, points / max_points))
    return {"scaled": round(scaled, 4), "raw": _plain(points), "min": _plain(low),
            "max": _plain(max_points)}


def _plain(number: float) -> int | float:
    return int(number) if float(number).is_integer() else round(number, 4)


def graded(site: Site, record_id: int, person: Person, attempt_id: int, quiz: Titled,
           module: Titled | None, result: Graded) -> dict[str, Any]:
    """The attempt passed or failed, with its score and how long it took."""
    outcome: dict[str, Any] = {"success": result.passed, "completion": True,
                               "duration": duration(result.submitted_at - result.started_at)}
    points = score(result.points, result.max_points)
    if points:
        outcome["score"] = points
    return {"id": statement_id(site, GRADED, record_id, result.submitted_at),
            "actor": agent(site, person),
            "verb": _verb("passed" if result.passed else "failed"),
            "object": quiz_activity(site, quiz), "result": outcome,
            "context": _attempt_context(site, attempt_id, quiz.language,
                                        _parent_only(site, module)),
            "timestamp": iso(result.submitted_at)}
