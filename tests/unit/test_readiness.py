"""The readiness formula and statuses on hand-made cases (lms.analytics.readiness)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.analytics.readiness import (
    Assessment,
    Figures,
    Rules,
    Status,
    assess,
    completion_percent,
    explain,
    fmt,
    readiness_index,
    readiness_status,
    rules_from_config,
    summarise,
)


def figures(assigned: int = 4, completed: int = 0, *, quizzes: int | None = None,
            attempted: int = 0, best: float | None = None, overdue: int = 0,
            started: int | None = None) -> Figures:
    """Four assigned modules, each with a quiz, unless told otherwise."""
    return Figures(assigned=assigned, completed=completed,
                   with_quiz=assigned if quizzes is None else quizzes, attempted=attempted,
                   average_best=best, overdue=overdue,
                   started=max(completed, attempted) if started is None else started)


# --- the index ------------------------------------------------------------------------------

@pytest.mark.parametrize(("case", "expected"), [
    # 0.5 × completion + 0.5 × average best score
    (figures(4, 4, attempted=4, best=90), 95.0),
    (figures(4, 2, attempted=2, best=80), 65.0),  # 0.5 × 50 + 0.5 × 80
    (figures(4, 1, attempted=1, best=40), 32.5),
    (figures(3, 1, attempted=1, best=70), 51.7),  # 0.5 × 33.33 + 35 = 51.67
    # The score averages over the quizzes taken only; untaken quizzes count in completion.
    (figures(4, 1, attempted=1, best=100), 62.5),
    # Quizzes assigned but none taken: the score part is 0.
    (figures(4, 1, attempted=0, started=1), 12.5),
    # Never started.
    (figures(4, 0, started=0), 0.0),
    # No module ends with a quiz: completion alone.
    (figures(4, 3, quizzes=0), 75.0),
    (figures(2, 2, quizzes=0), 100.0),
    # More completed than assigned cannot happen, but would not push the index past 100.
    (figures(2, 5, attempted=2, best=100), 100.0),
])
def test_readiness_index(case, expected):
    assert readiness_index(case) == pytest.approx(expected)


def test_no_assignments_have_no_index():
    assert readiness_index(Figures()) is None
    assert completion_percent(0, 0) is None


def test_index_is_rounded_to_one_decimal():
    assert readiness_index(figures(3, 2, attempted=3, best=71.234)) == 69.0  # 33.33 + 35.617
    assert readiness_index(figures(3, 3, attempted=3, best=59.93)) == 80.0  # 79.965


def test_scores_outside_0_100_are_clamped():
    assert readiness_index(figures(1, 1, attempted=1, best=130)) == 100
    assert readiness_index(figures(1, 0, attempted=1, best=-5, started=1)) == 0


@pytest.mark.parametrize(("rules", "expected"), [
    (Rules(completion_weight=1, score_weight=0), 50.0),  # completion only
    (Rules(completion_weight=0, score_weight=1), 80.0),  # score only
    (Rules(completion_weight=1, score_weight=3), 72.5),  # 0.25 × 50 + 0.75 × 80
    (Rules(completion_weight=2, score_weight=2), 65.0),  # only the ratio matters
])
def test_weights(rules, expected):
    assert readiness_index(figures(4, 2, attempted=2, best=80), rules) == expected


# --- the status -----------------------------------------------------------------------------

@pytest.mark.parametrize(("case", "expected"), [
    (Figures(), Status.NOTHING_ASSIGNED),
    (figures(4, 0, started=0), Status.NOT_STARTED),
    (figures(4, 4, attempted=4, best=90), Status.READY),
    (figures(4, 4, attempted=4, best=60), Status.READY),  # 80 exactly is ready
    (figures(4, 4, attempted=4, best=59), Status.ON_TRACK),  # 79.5: complete, not ready
    (figures(4, 3, attempted=4, best=100), Status.ON_TRACK),  # 87.5 but one module to go
    (figures(4, 2, attempted=2, best=80), Status.ON_TRACK),  # 65
    (figures(4, 2, attempted=2, best=0), Status.AT_RISK),  # 25
    (figures(4, 0, attempted=4, best=100, started=4), Status.ON_TRACK),  # 50 is not below 50
    (figures(4, 0, attempted=4, best=99, started=4), Status.AT_RISK),  # 49.5
    (figures(4, 1, attempted=0, started=1), Status.AT_RISK),  # opened, no quiz taken: 12.5
    (figures(4, 1, quizzes=0, started=1), Status.AT_RISK),  # 25
    (figures(4, 3, quizzes=0), Status.ON_TRACK),  # 75
    (figures(4, 4, quizzes=0), Status.READY),  # 100 without quizzes
])
def test_status(case, expected):
    assert assess(case).status is expected


@pytest.mark.parametrize("case", [
    figures(4, 0, started=0, overdue=1),  # never started and overdue
    figures(4, 3, attempted=4, best=100, overdue=1),  # index 87.5, yet overdue
    figures(4, 2, attempted=2, best=0, overdue=2),  # at risk and overdue
])
def test_overdue_items_pull_the_status_down_to_overdue(case):
    result = assess(case)
    assert result.status is Status.OVERDUE
    assert result.index is not None  # the index itself is unchanged by the overdue items


def test_nothing_assigned_beats_everything():
    assert readiness_status(Figures(overdue=1), None) is Status.NOTHING_ASSIGNED


@pytest.mark.parametrize(("rules", "case", "expected"), [
    (Rules(ready_at=95), figures(4, 4, attempted=4, best=88), Status.ON_TRACK),  # 94
    (Rules(ready_at=95), figures(4, 4, attempted=4, best=92), Status.READY),  # 96
    (Rules(at_risk_below=70), figures(4, 2, attempted=2, best=80), Status.AT_RISK),  # 65
    (Rules(at_risk_below=0), figures(4, 0, attempted=4, best=1, started=4), Status.ON_TRACK),
])
def test_thresholds(rules, case, expected):
    assert assess(case, rules).status is expected


def test_assessment_fields():
    result = assess(figures(4, 2, attempted=2, best=81.25))
    assert result == Assessment(index=65.6, status=Status.ON_TRACK, completion=50.0, score=81.2)
    nothing = assess(figures(4, 0, started=0))
    assert nothing.score is None and nothing.completion == 0 and nothing.index == 0


def test_every_status_has_a_label_a_badge_and_a_place_in_the_order():
    assert [s.label for s in Status] == ["Ready", "On track", "At risk", "Overdue",
                                         "Not started", "Nothing assigned"]
    assert all(s.badge.startswith("badge--") for s in Status)
    assert sorted(Status, key=lambda s: s.severity)[0] is Status.OVERDUE


# --- the rules ------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [
    {"completion_weight": -1},
    {"completion_weight": 0, "score_weight": 0},
    {"ready_at": 40, "at_risk_below": 50},
    {"ready_at": 120},
    {"at_risk_below": -1},
])
def test_bad_rules_are_refused(kwargs):
    with pytest.raises(ValueError):
        Rules(**kwargs)


def test_rules_from_config():
    assert rules_from_config({}) == Rules()
    rules = rules_from_config({"READINESS_COMPLETION_WEIGHT": 0.7, "READINESS_SCORE_WEIGHT": 0.3,
                               "READINESS_READY_AT": 90, "READINESS_AT_RISK_BELOW": 40})
    assert rules == Rules(0.7, 0.3, 90, 40)
    assert rules.completion_share == pytest.approx(0.7)


def test_config_settings_are_declared_with_their_defaults():
    from lms.config import SETTINGS

    declared = {s.key: s.default for s in SETTINGS}
    assert rules_from_config(declared) == Rules()


def test_explanation_names_the_configured_numbers():
    text = " ".join(explain(Rules(completion_weight=3, score_weight=1, ready_at=85,
                                  at_risk_below=45)))
    assert "75% × the share of assigned modules completed" in text
    assert "25% × the average best quiz score" in text
    assert "index of 85 or more" in text and "below 45" in text
    assert "50% ×" in " ".join(explain(Rules()))


# --- the summary ----------------------------------------------------------------------------

def test_summary():
    cases = [figures(4, 4, attempted=4, best=90), figures(4, 2, attempted=2, best=80),
             figures(4, 0, started=0, overdue=2), Figures()]
    summary = summarise((f, assess(f)) for f in cases)
    assert summary.people == 4
    assert summary.by_status[Status.READY] == 1
    assert summary.by_status[Status.ON_TRACK] == 1
    assert summary.by_status[Status.OVERDUE] == 1
    assert summary.by_status[Status.NOTHING_ASSIGNED] == 1
    assert summary.by_status[Status.AT_RISK] == 0
    assert summary.average_index == pytest.approx((95 + 65 + 0) / 3, abs=0.05)
    assert summary.average_completion == pytest.approx(50.0)
    assert summary.average_score == 85.0
    assert (summary.overdue_items, summary.people_overdue) == (2, 1)
    assert summary.ready_percent == pytest.approx(100 / 3)


def test_summary_of_nobody():
    summary = summarise([])
    assert summary.people == 0 and summary.average_index is None
    assert summary.ready_percent is None


@pytest.mark.parametrize(("value", "suffix", "expected"), [
    (80.0, "", "80"), (82.45, "%", "82.5%"), (None, "%", "—"), (0, "", "0"), (99.95, "", "100"),
])
def test_fmt(value, suffix, expected):
    assert fmt(value, suffix) == expected


# --- properties -----------------------------------------------------------------------------

@st.composite
def any_figures(draw):  # noqa: ANN001, ANN201
    assigned = draw(st.integers(1, 30))
    quizzes = draw(st.integers(0, assigned))
    attempted = draw(st.integers(0, quizzes))
    return Figures(assigned=assigned, completed=draw(st.integers(0, assigned)),
                   with_quiz=quizzes, attempted=attempted,
                   average_best=draw(st.floats(0, 100)) if attempted else None,
                   overdue=draw(st.integers(0, 3)), started=draw(st.integers(0, assigned)))


@given(any_figures(), st.floats(0, 5), st.floats(0.01, 5))
def test_index_stays_between_0_and_100(case, wc, ws):
    index = readiness_index(case, Rules(completion_weight=wc, score_weight=ws))
    assert index is not None and 0 <= index <= 100


@given(any_figures())
def test_completing_one_more_module_never_lowers_the_index(case):
    if case.completed < case.assigned:
        more = Figures(**{**case.__dict__, "completed": case.completed + 1})
        assert readiness_index(more) >= readiness_index(case)


@given(any_figures())
def test_ready_means_complete_and_above_the_threshold(case):
    result = assess(case)
    if result.status is Status.READY:
        assert case.completed >= case.assigned and result.index >= 80 and case.overdue == 0
    if case.overdue:
        assert result.status is Status.OVERDUE


# --- the packed sum the report statement returns (lms.analytics.readiness_sql) ---------------

@pytest.mark.parametrize("scores", [[], [0.0], [100.0], [0.0, 0.0, 0.0], [80.0, 40.5, 99.99],
                                    [100.0] * 1000, [0.01] * 37])
def test_unpack_scores(scores):
    from lms.analytics.readiness_sql import PACK, unpack_scores

    packed = sum(PACK + s for s in scores) if scores else None
    count, average = unpack_scores(packed)
    assert count == len(scores)
    if scores:
        assert average == pytest.approx(sum(scores) / len(scores), abs=1e-6)
    else:
        assert average is None
