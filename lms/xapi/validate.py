"""Check a statement against the xAPI 1.0.3 rules we rely on, before it is stored or sent.

Pure: ``problems(statement, now)`` returns every rule broken as ``"path: what is wrong"``
(empty: valid). It covers the statements we make (an Agent acting on an Activity), strictly:
the required triple, known property names only, no nulls, UUIDs, exactly one agent identifier,
IRIs for verbs and activities, language maps, the score's bounds, ISO 8601 durations, and
timestamps with a time zone that are not in the future. The messages are for developers and
LRS operators, in the specification's English, so they are not translated.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any

from lms.safeyaml import quote

UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}"
                  r"-[0-9a-fA-F]{12}$")
#: RFC 3987 in practice: a scheme, then no white space or characters IRIs never hold; http(s)
#: with an authority.
IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$")
HTTP_IRI = re.compile(r"^https?://[^/\s?#]+")
#: RFC 5646 language tags, as far as a language map needs (en, en-US, nl, zh-Hant-TW).
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_N = r"(\d+(?:[.,]\d+)?)"
DURATION = re.compile(rf"^P(?:{_N}W|(?=[\dT])(?:{_N}Y)?(?:{_N}M)?(?:{_N}D)?"
                      rf"(?:T(?=\d)(?:{_N}H)?(?:{_N}M)?(?:{_N}S)?)?)$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$")
MAILTO = re.compile(r"^mailto:[^@\s]+@[^@\s]+$")
SHA1 = re.compile(r"^[0-9a-f]{40}$")

STATEMENT_KEYS = {"id", "actor", "verb", "object", "result", "context", "timestamp", "stored",
                  "authority", "version", "attachments"}
AGENT_KEYS = {"objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"}
IDENTIFIERS = ("mbox", "mbox_sha1sum", "openid", "account")
VERB_KEYS = {"id", "display"}
ACTIVITY_KEYS = {"objectType", "id", "definition"}
DEFINITION_KEYS = {"name", "description", "type", "moreInfo", "extensions", "interactionType",
                   "correctResponsesPattern", "choices", "scale", "source", "target", "steps"}
INTERACTION_TYPES = {"true-false", "choice", "fill-in", "long-fill-in", "matching",
                     "performance", "sequencing", "likert", "numeric", "other"}
RESULT_KEYS = {"score", "success", "completion", "response", "duration", "extensions"}
SCORE_KEYS = {"scaled", "raw", "min", "max"}
CONTEXT_KEYS = {"registration", "instructor", "team", "contextActivities", "revision",
                "platform", "language", "statement", "extensions"}
CONTEXT_ACTIVITY_KEYS = {"parent", "grouping", "category", "other"}


def is_valid(statement: Any, now: datetime) -> bool:
    return not problems(statement, now)


def problems(statement: Any, now: datetime) -> list[str]:
    """Every 1.0.3 rule ``statement`` breaks; ``now`` (aware) bounds the timestamp."""
    out: list[str] = []
    if not isinstance(statement, dict):
        return ["statement: must be a JSON object"]
    _no_nulls(statement, "statement", out)
    _known(statement, STATEMENT_KEYS, "statement", out)
    for required in ("actor", "verb", "object"):
        if required not in statement:
            out.append(f"statement: {required} is required")
    if "id" in statement and not _uuid(statement["id"]):
        out.append("id: must be a UUID")
    if "actor" in statement:
        _agent(statement["actor"], "actor", out)
    if "verb" in statement:
        _verb(statement["verb"], out)
    if "object" in statement:
        _activity(statement["object"], "object", out)
    if "result" in statement:
        _result(statement["result"], out)
    if "context" in statement:
        _context(statement["context"], out)
    if "timestamp" in statement:
        _timestamp(statement["timestamp"], now, out)
    return out


def _uuid(value: Any) -> bool:
    return isinstance(value, str) and bool(UUID.match(value))


def is_iri(value: Any) -> bool:
    if not isinstance(value, str) or not IRI.match(value):
        return False
    scheme = value.split(":", 1)[0].lower()
    return scheme not in ("http", "https") or bool(HTTP_IRI.match(value))


def _no_nulls(value: Any, path: str, out: list[str]) -> None:
    """No null anywhere outside extensions (an LRS must reject them)."""
    if value is None:
        out.append(f"{path}: null is not allowed")
    elif isinstance(value, dict):
        for key, item in value.items():
            if key != "extensions":
                _no_nulls(item, f"{path}.{key}" if path != "statement" else key, out)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _no_nulls(item, f"{path}[{i}]", out)


def _known(value: dict, allowed: set[str], path: str, out: list[str]) -> None:
    for key in value:
        if key not in allowed:
            out.append(f"{path}: unknown property {key}")


def _object(value: Any, path: str, out: list[str]) -> bool:
    if not isinstance(value, dict):
        out.append(f"{path}: must be an object")
        return False
    return True


def _language_map(value: Any, path: str, out: list[str]) -> None:
    if not _object(value, path, out):
        return
    for tag, text in value.items():
        if not LANGUAGE_TAG.match(tag):
            out.append(f"{path}: {quote(tag)} is not a language tag")
        if not isinstance(text, str):
            out.append(f"{path}.{tag}: must be a string")


def _agent(agent: Any, path: str, out: list[str]) -> None:
    if not _object(agent, path, out):
        return
    _known(agent, AGENT_KEYS, path, out)
    if agent.get("objectType", "Agent") != "Agent":
        out.append(f"{path}: objectType must be Agent")
    found = [key for key in IDENTIFIERS if key in agent]
    if len(found) != 1:
        out.append(f"{path}: needs exactly one identifier of mbox, mbox_sha1sum, openid, "
                   f"account (has {len(found)})")
    if "name" in agent and not isinstance(agent["name"], str):
        out.append(f"{path}.name: must be a string")
    if "mbox" in agent and not (isinstance(agent["mbox"], str) and MAILTO.match(agent["mbox"])):
        out.append(f"{path}.mbox: must be a mailto: IRI")
    if "mbox_sha1sum" in agent and not (isinstance(agent["mbox_sha1sum"], str)
                                        and SHA1.match(agent["mbox_sha1sum"])):
        out.append(f"{path}.mbox_sha1sum: must be a SHA-1 hex digest")
    if "openid" in agent and not is_iri(agent["openid"]):
        out.append(f"{path}.openid: must be an IRI")
    if "account" in agent:
        account = agent["account"]
        if _object(account, f"{path}.account", out):
            _known(account, {"homePage", "name"}, f"{path}.account", out)
            if not is_iri(account.get("homePage")):
                out.append(f"{path}.account.homePage: must be an IRL")
            name = account.get("name")
            if not isinstance(name, str) or not name:
                out.append(f"{path}.account.name: must be a non-empty string")


def _verb(verb: Any, out: list[str]) -> None:
    if not _object(verb, "verb", out):
        return
    _known(verb, VERB_KEYS, "verb", out)
    if not is_iri(verb.get("id")):
        out.append("verb.id: must be an IRI")
    if "display" in verb:
        _language_map(verb["display"], "verb.display", out)


def _activity(activity: Any, path: str, out: list[str]) -> None:
    if not _object(activity, path, out):
        return
    _known(activity, ACTIVITY_KEYS, path, out)
    if activity.get("objectType", "Activity") != "Activity":
        out.append(f"{path}: objectType must be Activity")
    if not is_iri(activity.get("id")):
        out.append(f"{path}.id: must be an IRI")
    definition = activity.get("definition")
    if definition is None or not _object(definition, f"{path}.definition", out):
        return
    where = f"{path}.definition"
    _known(definition, DEFINITION_KEYS, where, out)
    for key in ("name", "description"):
        if key in definition:
            _language_map(definition[key], f"{where}.{key}", out)
    if "type" in definition and not is_iri(definition["type"]):
        out.append(f"{where}.type: must be an IRI")
    if "interactionType" in definition and definition["interactionType"] not in INTERACTION_TYPES:
        out.append(f"{where}.interactionType: must be one of "
                   f"{', '.join(sorted(INTERACTION_TYPES))}")
    pattern = definition.get("correctResponsesPattern")
    if pattern is not None and not (isinstance(pattern, list)
                                    and all(isinstance(p, str) for p in pattern)):
        out.append(f"{where}.correctResponsesPattern: must be an array of strings")


def _number(value: Any) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))


def _result(result: Any, out: list[str]) -> None:
    if not _object(result, "result", out):
        return
    _known(result, RESULT_KEYS, "result", out)
    for key in ("success", "completion"):
        if key in result and not isinstance(result[key], bool):
            out.append(f"result.{key}: must be true or false")
    if "response" in result and not isinstance(result["response"], str):
        out.append("result.response: must be a string")
    if "duration" in result and not (isinstance(result["duration"], str)
                                     and DURATION.match(result["duration"])):
        out.append("result.duration: must be an ISO 8601 duration (PnYnMnDTnHnMnS or PnW)")
    if "score" in result:
        _score(result["score"], out)


def _score(score: Any, out: list[str]) -> None:
    if not _object(score, "result.score", out):
        return
    _known(score, SCORE_KEYS, "result.score", out)
    for key in SCORE_KEYS & set(score):
        if not _number(score[key]):
            out.append(f"result.score.{key}: must be a number")
    numbers = {k: v for k, v in score.items() if k in SCORE_KEYS and _number(v)}
    if "scaled" in numbers and not -1 <= numbers["scaled"] <= 1:
        out.append("result.score.scaled: must be between -1 and 1")
    low, high, raw = numbers.get("min"), numbers.get("max"), numbers.get("raw")
    if low is not None and high is not None and not low < high:
        out.append("result.score: min must be less than max")
    if raw is not None and ((low is not None and raw < low) or (high is not None and raw > high)):
        out.append("result.score.raw: must be between min and max")


def _context(context: Any, out: list[str]) -> None:
    if not _object(context, "context", out):
        return
    _known(context, CONTEXT_KEYS, "context", out)
    if "registration" in context and not _uuid(context["registration"]):
        out.append("context.registration: must be a UUID")
    for key in ("revision", "platform", "language"):
        if key in context and not isinstance(context[key], str):
            out.append(f"context.{key}: must be a string")
    if isinstance(context.get("language"), str) and not LANGUAGE_TAG.match(context["language"]):
        out.append("context.language: must be a language tag")
    if "instructor" in context:
        _agent(context["instructor"], "context.instructor", out)
    activities = context.get("contextActivities")
    if activities is None or not _object(activities, "context.contextActivities", out):
        return
    _known(activities, CONTEXT_ACTIVITY_KEYS, "context.contextActivities", out)
    for key, value in activities.items():
        items = value if isinstance(value, list) else [value]
        for i, activity in enumerate(items):
            _activity(activity, f"context.contextActivities.{key}[{i}]", out)


def parse_timestamp(value: Any) -> datetime | None:
    """An ISO 8601 timestamp with a time zone, or None."""
    if not isinstance(value, str) or not TIMESTAMP.match(value):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _timestamp(value: Any, now: datetime, out: list[str]) -> None:
    moment = parse_timestamp(value)
    if moment is None:
        out.append("timestamp: must be an ISO 8601 date and time with a time zone")
    elif moment > now:
        out.append("timestamp: must not be in the future")
