"""The xAPI 1.0.3 validator: a good statement passes, and each rule catches its own mistake."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest

from lms.xapi import statements as st
from lms.xapi.validate import is_iri, problems

NOW = datetime(2026, 5, 2, 12, 0, tzinfo=UTC)

GOOD = {
    "id": "6a1f3b2e-2c1d-4a7e-9f51-0d2b8f0c9a11",
    "actor": {"objectType": "Agent",
              "account": {"homePage": "https://train.example.com", "name": "17"}},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/passed", "display": {"en-US": "passed"}},
    "object": {"objectType": "Activity",
               "id": "https://train.example.com/xapi/activities/quiz/discovery",
               "definition": {"type": "http://adlnet.gov/expapi/activities/assessment",
                              "name": {"en-US": "Discovery quiz"}}},
    "result": {"score": {"scaled": 0.85, "raw": 17, "min": 0, "max": 20},
               "success": True, "completion": True, "duration": "PT12M3.5S"},
    "context": {"registration": "0b8e1d0c-8d8e-4e43-8f7a-8f3a4c5d6e7f",
                "contextActivities": {"parent": [
                    {"id": "https://train.example.com/xapi/activities/module/discovery"}]}},
    "timestamp": "2026-05-02T09:30:12.345Z",
}


def changed(path: str, value: object = None, *, delete: bool = False) -> dict:
    """GOOD with the value at ``path`` (dots; a number indexes a list) replaced or removed."""
    statement = copy.deepcopy(GOOD)
    *parents, last = path.split(".")
    target = statement
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    key = int(last) if last.isdigit() else last
    if delete:
        del target[key]
    else:
        target[key] = value
    return statement


def broken(statement: dict) -> list[str]:
    return problems(statement, NOW)


def test_the_good_statement_and_the_specification_example_are_valid():
    assert broken(GOOD) == []
    minimal = {"actor": {"mbox": "mailto:moses@example.com"},
               "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
               "object": {"id": "https://train.example.com/modules/discovery"}}
    assert broken(minimal) == []


@pytest.mark.parametrize("missing", ["actor", "verb", "object"])
def test_actor_verb_and_object_are_required(missing):
    assert broken(changed(missing, delete=True)) == [f"statement: {missing} is required"]


def test_unknown_properties_are_refused():
    assert broken(changed("grade", "A")) == ["statement: unknown property grade"]
    assert broken(changed("result.points", 3)) == ["result: unknown property points"]


def test_null_is_refused_anywhere_but_in_extensions():
    assert "result.success: null is not allowed" in broken(changed("result.success", None))
    assert broken(changed("result.extensions", {"https://x.example/e": None})) == []


@pytest.mark.parametrize("bad", ["6a1f3b2e2c1d4a7e9f510d2b8f0c9a11", "not-a-uuid", "", 17])
def test_the_id_must_be_a_uuid(bad):
    assert broken(changed("id", bad)) == ["id: must be a UUID"]


def test_the_registration_must_be_a_uuid():
    assert broken(changed("context.registration", "attempt-3")) == [
        "context.registration: must be a UUID"]


def test_an_agent_has_exactly_one_identifier():
    two = changed("actor.mbox", "mailto:moses@example.com")
    none = changed("actor.account", delete=True)
    assert broken(two) == ["actor: needs exactly one identifier of mbox, mbox_sha1sum, openid, "
                           "account (has 2)"]
    assert broken(none) == ["actor: needs exactly one identifier of mbox, mbox_sha1sum, "
                            "openid, account (has 0)"]


def test_agent_identifiers_have_their_form():
    assert broken(changed("actor", {"mbox": "moses@example.com"})) == [
        "actor.mbox: must be a mailto: IRI"]
    assert broken(changed("actor.account.homePage", "train.example.com")) == [
        "actor.account.homePage: must be an IRL"]
    assert broken(changed("actor.account.name", "")) == [
        "actor.account.name: must be a non-empty string"]
    assert broken(changed("actor.objectType", "Person")) == ["actor: objectType must be Agent"]


@pytest.mark.parametrize("bad", ["passed", "http://", "http://adlnet.gov/expapi/verbs/pass ed",
                                 "", 5])
def test_the_verb_id_must_be_an_iri(bad):
    assert broken(changed("verb.id", bad)) == ["verb.id: must be an IRI"]


def test_activity_ids_and_types_must_be_iris():
    assert broken(changed("object.id", "quiz/discovery")) == ["object.id: must be an IRI"]
    assert broken(changed("object.definition.type", "assessment")) == [
        "object.definition.type: must be an IRI"]
    assert broken(changed("context.contextActivities.parent.0.id", "module 1")) == [
        "context.contextActivities.parent[0].id: must be an IRI"]


def test_language_maps_have_language_tags_and_strings():
    assert broken(changed("verb.display", {"english": "passed", "nl": 3})) == [
        "verb.display: 'english' is not a language tag", "verb.display.nl: must be a string"]


def test_an_interaction_type_is_one_of_the_specifications():
    assert broken(changed("object.definition.interactionType", "multiple-choice"))[0].startswith(
        "object.definition.interactionType: must be one of")
    assert broken(changed("object.definition.interactionType", "choice")) == []


@pytest.mark.parametrize("scaled", [1.01, -1.5, 5])
def test_the_scaled_score_lies_between_minus_one_and_one(scaled):
    assert broken(changed("result.score.scaled", scaled)) == [
        "result.score.scaled: must be between -1 and 1"]


def test_scaled_scores_on_the_bounds_are_valid():
    assert broken(changed("result.score.scaled", -1)) == []
    assert broken(changed("result.score.scaled", 1)) == []


@pytest.mark.parametrize("raw", [21, -1])
def test_the_raw_score_lies_between_min_and_max(raw):
    assert broken(changed("result.score.raw", raw)) == [
        "result.score.raw: must be between min and max"]


def test_min_is_below_max():
    assert "result.score: min must be less than max" in broken(changed("result.score.max", 0))


def test_scores_are_numbers_and_success_a_boolean():
    assert broken(changed("result.score.raw", "17")) == ["result.score.raw: must be a number"]
    assert broken(changed("result.score.raw", True)) == ["result.score.raw: must be a number"]
    assert broken(changed("result.success", "yes")) == ["result.success: must be true or false"]


@pytest.mark.parametrize("good", ["PT12M3.5S", "PT4H35M59.14S", "P4W", "P1DT2H", "PT0S",
                                  "P1Y2M3D"])
def test_iso_8601_durations_are_valid(good):
    assert broken(changed("result.duration", good)) == []


@pytest.mark.parametrize("bad", ["PT00:12:03", "12 minutes", "P", "PT", "P1W2D", "PT1.5", 725])
def test_durations_must_be_iso_8601(bad):
    assert broken(changed("result.duration", bad)) == [
        "result.duration: must be an ISO 8601 duration (PnYnMnDTnHnMnS or PnW)"]


@pytest.mark.parametrize("good", ["2026-05-02T09:30:12.345Z", "2026-05-02T11:30:12+02:00",
                                  "2026-05-02T09:30:12Z"])
def test_timestamps_with_a_time_zone_are_valid(good):
    assert broken(changed("timestamp", good)) == []


@pytest.mark.parametrize("bad", ["2026-05-02T09:30:12", "2026-05-02", "02-05-2026 09:30Z",
                                 "2026-13-02T09:30:12Z"])
def test_timestamps_must_be_iso_8601_with_a_time_zone(bad):
    assert broken(changed("timestamp", bad)) == [
        "timestamp: must be an ISO 8601 date and time with a time zone"]


def test_timestamps_must_not_be_in_the_future():
    later = st.iso(NOW + timedelta(seconds=1))
    assert broken(changed("timestamp", later)) == ["timestamp: must not be in the future"]
    assert broken(changed("timestamp", st.iso(NOW))) == []


def test_iri_check():
    assert is_iri("urn:uuid:6a1f3b2e-2c1d-4a7e-9f51-0d2b8f0c9a11")
    assert is_iri("https://train.example.com/xapi/activities/module/a%20b")
    assert not is_iri("https:/train.example.com")
    assert not is_iri("/xapi/activities/module/x")


# The builders: what they make validates, and the awkward values stay within the rules.

SITE = st.Site("https://train.example.com/")
PERSON = st.Person(17, "moses@example.com")
QUIZ = st.Titled("discovery-quiz", "Discovery quiz", "nl")
MODULE = st.Titled("discovery", "Discovery", "en")
START = datetime(2026, 5, 2, 9, 0, tzinfo=UTC)


def test_a_graded_attempt_gives_score_success_completion_and_duration():
    result = st.Graded(points=17, max_points=20, passed=True, started_at=START,
                       submitted_at=START + timedelta(minutes=12, seconds=3.5))
    statement = st.graded(SITE, 9, PERSON, 3, QUIZ, MODULE, result)
    assert broken(statement) == []
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/passed"
    assert statement["result"] == {"success": True, "completion": True, "duration": "PT12M3.5S",
                                   "score": {"scaled": 0.85, "raw": 17, "min": 0, "max": 20}}
    assert statement["context"]["registration"] == st.registration(SITE, 3)
    assert statement["context"]["contextActivities"]["parent"][0]["id"] == (
        "https://train.example.com/xapi/activities/module/discovery")
    assert statement["actor"] == {"objectType": "Agent", "account": {
        "homePage": "https://train.example.com", "name": "17"}}
    assert statement == st.graded(SITE, 9, PERSON, 3, QUIZ, MODULE, result)  # deterministic


def test_a_failed_attempt_without_points_has_no_score_and_a_negative_one_keeps_in_bounds():
    nothing = st.Graded(points=0, max_points=0, passed=False, started_at=START,
                        submitted_at=START)
    statement = st.graded(SITE, 9, PERSON, 3, QUIZ, None, nothing)
    assert broken(statement) == [] and "score" not in statement["result"]
    assert statement["verb"]["id"].endswith("/failed")
    assert "contextActivities" not in statement["context"]
    assert st.score(-3, 2) == {"scaled": -1.0, "raw": -3, "min": -3, "max": 2}


def test_email_agents_only_when_configured():
    by_email = st.Site("https://train.example.com", agent_email=True)
    statement = st.experienced(by_email, 1, PERSON, MODULE, START)
    assert statement["actor"] == {"objectType": "Agent", "mbox": "mailto:moses@example.com"}
    assert broken(statement) == []
    assert "moses" not in str(st.experienced(SITE, 1, PERSON, MODULE, START))


def test_statement_ids_are_stable_and_differ_per_site_kind_and_record():
    one = st.statement_id(SITE, st.GRADED, 9, START)
    assert one == st.statement_id(st.Site("https://train.example.com"), st.GRADED, 9, START)
    assert len({one, st.statement_id(SITE, st.GRADED, 10, START),
                st.statement_id(SITE, st.ANSWERED, 9, START),
                st.statement_id(st.Site("https://other.example.com"), st.GRADED, 9, START)}) == 4


@pytest.mark.parametrize(("seconds", "text"), [(0, "PT0S"), (3.456, "PT3.46S"), (60, "PT1M"),
                                               (3600 * 26 + 61, "PT26H1M1S")])
def test_durations_are_written_in_iso_8601(seconds, text):
    assert st.duration(timedelta(seconds=seconds)) == text
