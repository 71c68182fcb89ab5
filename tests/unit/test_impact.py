"""The impact analysis: its rules on hand-made rows (pure), and what it reads from a database
with known training and sales."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.analytics import impact as service
from lms.analytics import impact_rules as rules
from lms.analytics import impact_sql as q
from lms.analytics import stats
from lms.analytics.impact import Params, PersonResult, analyse
from lms.analytics.measures import MEASURE_KEYS
from lms.extensions import db
from lms.security import Scope
from tests.factories import make_user
from tests.impact_helpers import add_sale, d, statements, train
from tests.learning_helpers import sync, write_practice

TODAY = date(2026, 6, 1)


def params(**changes) -> Params:  # noqa: ANN003
    base = {"kind": "path", "slug": "p", "measure": "win_rate", "window_days": 90, "min_n": 4,
            "min_closed": 3, "follow_up_days": 14, "today": TODAY}
    return Params(**{**base, **changes})


def row(i: int, *, group: str = "first_attempt", score: float | None = 80.0,
        after: float | None = 0.4, before: float | None = 0.3, after_closed: int = 10,
        before_closed: int = 10, complete: bool = True, trained_on: date = date(2026, 1, 1),
        modules: dict[str, float] | None = None, value: float | None | str = "score",
        skill: tuple[float | None, float | None] | None = None) -> PersonResult:
    """``value``: the training measure's value ("score": the score); ``skill``: the skill
    rating (before, after), making the skill rating an outcome."""
    person = q.Person(i, f"Person {i:02d}", f"p{i}@example.com", "Team", True)
    trained = group != "not_trained"
    day = trained_on if trained else None
    before_w, after_w = q.windows_around(trained_on, 90)
    return PersonResult(
        person=person, group=group, training_date=day, training_score=score if trained else None,
        module_scores=modules or {}, before_window=before_w, after_window=after_w,
        after_complete=complete, before_closed=before_closed, after_closed=after_closed,
        before={k: before for k in MEASURE_KEYS} | ({"skill_rating": skill[0]} if skill else {}),
        after={k: after for k in MEASURE_KEYS} | ({"skill_rating": skill[1]} if skill else {}),
        training_value=(score if trained else None) if value == "score" else value)


def run(rows: list[PersonResult], modules: list[q.ModuleInfo] | None = None,
        **changes) -> service.Impact:  # noqa: ANN003
    return analyse(rows, params(**changes), item_title="Path", item_kind_label="learning path",
                   scored_modules=[], reference_date=date(2026, 1, 1), modules=modules or [])


SCORES = [72.0, 95.0, 81.5, 88.0, 64.0, 90.0, 77.0, 99.0, 85.0]
RATES = [0.31, 0.52, 0.35, 0.47, 0.22, 0.41, 0.40, 0.55, 0.38]


# --- the rules (pure) ---------------------------------------------------------------------------

def test_the_correlation_is_the_statistic_of_the_qualifying_people():
    rows = [row(i, score=s, after=r) for i, (s, r) in enumerate(zip(SCORES, RATES, strict=True))]
    rows += [row(20, after_closed=2), row(21, complete=False), row(22, after=None),
             row(23, group="not_trained"), row(24, score=None, group="later")]
    result = run(rows)
    f = result.figure
    assert f.enough and f.n == len(SCORES)
    assert f.pearson == stats.pearson(SCORES, RATES)
    assert f.spearman == stats.spearman(SCORES, RATES)
    assert f.fit == stats.linear_fit(SCORES, RATES)
    assert [p.person.id for p, _, _ in result.scatter_points()] == list(range(len(SCORES)))
    reasons = {e.person.id: (e.analyses, e.reason) for e in result.excluded}
    assert reasons[20] == (("score", "groups", "before-after"),
                           "2 closed deals after training (at least 3 needed)")
    assert reasons[21][1].startswith("the window after training is not over until")
    assert reasons[22][1] == "no win rate value after training"
    assert reasons[24][1] == "no quiz result for the training"
    assert 23 not in reasons  # not trained, with enough deals around the reference day


@given(group=st.sampled_from(["first_attempt", "later", "not_trained"]),
       score=st.none() | st.floats(0, 100), after=st.none() | st.floats(0, 1),
       before=st.none() | st.floats(0, 1), after_closed=st.integers(0, 6),
       before_closed=st.integers(0, 6), complete=st.booleans(), low=st.integers(1, 5))
def test_the_quick_sample_rules_agree_with_the_reasons(group, score, after, before, after_closed,
                                                       before_closed, complete, low):
    p = row(1, group=group, score=score, after=after, before=before, after_closed=after_closed,
            before_closed=before_closed, complete=complete)
    assert rules.counts_after(p, "win_rate", low) == (
        rules.after_problem(p, "win_rate", low) is None)
    assert rules.counts_before(p, "win_rate", low) == (
        rules.before_problem(p, "win_rate", low) is None)
    assert rules.counts_for_score(p, "win_rate", low) == (
        rules.correlation_problem(p, "win_rate", low) is None)


def test_below_the_minimum_n_there_are_no_numbers():
    rows = [row(i, score=s, after=r) for i, (s, r) in enumerate(zip(SCORES, RATES, strict=True))]
    result = run(rows, min_n=10)
    assert not result.figure.enough and result.figure.n == 9
    assert result.figure.pearson is None and result.figure.fit is None
    assert run(rows, min_n=9).figure.enough


def test_groups_and_their_differences():
    first = [row(i, after=a) for i, a in enumerate([0.5, 0.45, 0.55, 0.6])]
    later = [row(10 + i, group="later", after=a) for i, a in enumerate([0.4, 0.35, 0.3, 0.42])]
    untrained = [row(20 + i, group="not_trained", after=a) for i, a in enumerate([0.3, 0.28])]
    result = run(first + later + untrained)
    summaries = {g.group: g for g in result.groups["win_rate"]}
    assert summaries["first_attempt"].mean == pytest.approx(0.525)
    assert summaries["later"].n == 4
    assert summaries["not_trained"].n == 2 and summaries["not_trained"].mean is None
    first_later, first_none, later_none = result.comparisons["win_rate"]
    assert first_later.enough and first_later.result == stats.mean_difference(
        [0.5, 0.45, 0.55, 0.6], [0.4, 0.35, 0.3, 0.42])
    assert not first_none.enough and first_none.result is None and first_none.n_b == 2
    assert not later_none.enough


def test_difference_in_differences_needs_both_windows_on_both_sides():
    trained = [row(i, before=b, after=a) for i, (b, a) in
               enumerate([(0.3, 0.4), (0.32, 0.45), (0.28, 0.33), (0.35, 0.41)])]
    trained.append(row(9, before_closed=1))  # too few deals before: left out
    others = [row(20 + i, group="not_trained", before=b, after=a) for i, (b, a) in
              enumerate([(0.3, 0.31), (0.33, 0.32), (0.29, 0.3), (0.31, 0.35)])]
    result = run(trained + others)
    did = result.did["win_rate"]
    assert (did.n_trained, did.n_untrained) == (4, 4) and did.enough
    assert did.result == stats.difference_in_differences(
        [0.3, 0.32, 0.28, 0.35], [0.4, 0.45, 0.33, 0.41],
        [0.3, 0.33, 0.29, 0.31], [0.31, 0.32, 0.3, 0.35])
    assert did.means["trained_before"] == pytest.approx(0.3125)
    [left] = [e for e in result.excluded if e.person.id == 9]
    assert left.analyses == ("before-after",)
    assert left.reason == "1 closed deal before training (at least 3 needed)"
    small = run(trained[:3] + others)
    assert not small.did["win_rate"].enough and small.did["win_rate"].means[
        "trained_before"] is None


def test_modules_are_ranked_in_the_good_direction_of_the_measure():
    modules = [q.ModuleInfo(1, "up", "Goes up", 11, "highest"),
               q.ModuleInfo(2, "down", "Goes down", 12, "highest"),
               q.ModuleInfo(3, "rare", "Rarely taken", 13, "highest")]
    rows = [row(i, after=r, modules={"up": 50 + 100 * r + (i % 3), "down": 100 - 80 * r,
                                     **({"rare": 70.0} if i < 2 else {})})
            for i, r in enumerate(RATES)]
    ranked = run(rows, modules).modules
    assert [m.slug for m in ranked] == ["up", "down", "rare"]
    assert ranked[0].figure.pearson.r > 0.9 and ranked[1].figure.pearson.r < -0.9
    assert not ranked[2].figure.enough and ranked[2].figure.n == 2
    # Fewer complaints is better: the most negative relation comes first.
    lower = run(rows, modules, measure="complaints_per_10").modules
    assert [m.slug for m in lower] == ["down", "up", "rare"]


def test_reference_day_and_windows():
    assert service.reference_day([]) is None
    assert service.reference_day([d("2026-03-01"), d("2026-01-01"), d("2026-02-01"),
                                  d("2026-04-01")]) == d("2026-02-01")
    before, after = q.windows_around(d("2026-03-10"), 30)
    assert before == (d("2026-02-08"), d("2026-03-10"))
    assert after == (d("2026-03-11"), d("2026-04-10"))


@pytest.mark.parametrize(("method", "expected"), [
    ("highest", 90.0), ("first", 40.0), ("last", 70.0), ("average", 66.6667)])
def test_a_quiz_result_under_each_grading_method(method, expected):
    result = q.QuizResult(first=40.0, last=70.0, best=90.0, mean=66.666666, attempts=3,
                          first_passed=False)
    assert result.result(method) == expected


def test_a_path_score_is_the_mean_of_its_modules():
    modules = [q.ModuleInfo(1, "a", "A", 11, "highest"), q.ModuleInfo(2, "b", "B", 12, "last")]
    results = {(7, 11): q.QuizResult(60.0, 90.0, 90.0, 75.0, 2, False),
               (7, 12): q.QuizResult(85.0, 85.0, 85.0, 85.0, 1, True),
               (8, 11): q.QuizResult(95.0, 95.0, 95.0, 95.0, 1, True)}
    assert q.training_score(results, 7, modules) == (87.5, False)
    assert q.training_score(results, 8, modules) == (None, False)  # no result for B
    assert q.training_score(results, 8, modules[:1]) == (95.0, True)


def test_parameters_are_checked(app):
    with pytest.raises(service.DomainError, match="Unknown measure"):
        service.run(Scope(everyone=True), params(measure="profit"))
    with pytest.raises(service.DomainError, match="30 to 365"):
        service.run(Scope(everyone=True), params(window_days=29))
    with pytest.raises(service.DomainError, match="no learning path 'p'"):
        service.run(Scope(everyone=True), params())


# --- from the database ---------------------------------------------------------------------------

@pytest.fixture
def trained_team(app, content_copy):  # noqa: ANN001, ANN201
    write_practice(content_copy, grading_method="highest")  # pass mark 60
    sync(content_copy)
    first = make_user(name="First Time")
    later = make_user(name="Second Go")
    untrained = make_user(name="Not Yet")
    recent = make_user(name="Just Now")
    train(first, "2026-03-10", [5])  # 100 %
    train(later, "2026-03-20", [2, 4])  # 40 % (failed), then 80 %
    train(recent, "2026-05-25", [5])  # its 30 days after are not over on 1 June
    for when in ("2026-03-01", "2026-03-10", "2026-03-15", "2026-04-09", "2026-04-10"):
        add_sale(first, closed=when)  # 3-1 before; 3-10 the day itself; 4-10 is day 31
    add_sale(first, stage="lost", closed="2026-03-30")
    add_sale(later, closed="2026-04-01", amount=2000)
    add_sale(untrained, closed="2026-03-05")  # before the reference day (10 March)
    add_sale(untrained, stage="lost", closed="2026-03-12")  # after it
    db.session.commit()
    return first, later, untrained, recent


def test_training_day_score_group_and_windows_from_the_database(trained_team):
    first, later, untrained, recent = trained_team
    p = params(kind="module", slug="practice-module", window_days=30, min_n=2, min_closed=1)
    result = service.compute(Scope(everyone=True), p, q.load_catalogue())
    rows = {r.person.id: r for r in result.people}
    assert result.item_title == "Practice module" and result.scored_modules == ["practice-module"]
    assert result.reference_date == d("2026-03-10")  # lower median of 10 and 20 March

    a = rows[first.id]
    assert (a.group, a.training_date, a.training_score) == ("first_attempt", d("2026-03-10"),
                                                            100.0)
    assert a.after_window == (d("2026-03-11"), d("2026-04-10")) and a.after_complete
    assert (a.before_closed, a.after_closed) == (1, 3)
    assert a.after["won_deals"] == 2 and a.after["win_rate"] == pytest.approx(0.6667)
    assert a.before["won_deals"] == 1
    assert a.module_scores == {"practice-module": 100.0}

    b = rows[later.id]
    assert (b.group, b.training_score) == ("later", 80.0)
    assert b.after["revenue"] == 2000.0 and b.before_closed == 0

    c = rows[untrained.id]
    assert (c.group, c.training_date, c.training_score) == ("not_trained", None, None)
    assert c.before_window == (d("2026-02-08"), d("2026-03-10"))
    assert (c.before_closed, c.after_closed, c.after["win_rate"]) == (1, 1, 0.0)

    r = rows[recent.id]
    assert r.training_date == d("2026-05-25") and not r.after_complete
    assert [e.reason for e in result.excluded if e.person.id == recent.id] == [
        "the window after training is not over until 2026-06-24"]
    assert result.figures["won_deals"].n == 2


def test_the_path_uses_its_required_modules_with_a_quiz(trained_team):
    first, later, *_ = trained_team
    p = params(kind="path", slug="practice-path", window_days=30, min_n=2, min_closed=1)
    result = service.compute(Scope(everyone=True), p, q.load_catalogue())
    rows = {r.person.id: r for r in result.people}
    assert result.scored_modules == ["practice-module"]
    # the path completes when the follow-up module (no quiz) is read: nobody read it
    assert rows[first.id].group == "not_trained" and rows[later.id].group == "not_trained"


def test_the_statements_do_not_grow_with_the_people(trained_team):
    def count() -> int:
        service.impact_cache().clear()
        with statements() as seen:
            service.run(Scope(everyone=True), params(kind="module", slug="practice-module",
                                                     window_days=30))
        return len(seen)

    few = count()
    for i in range(15):
        person = make_user()
        train(person, f"2026-02-{i + 1:02d}", [5])
        add_sale(person, closed="2026-03-20")
    db.session.commit()
    assert count() == few <= 10


def test_a_repeated_view_comes_from_the_cache_until_the_data_changes(trained_team):
    first, *_ = trained_team
    p = params(kind="module", slug="practice-module", window_days=30, min_n=1, min_closed=1)
    one = service.run(Scope(everyone=True), p)
    with statements() as seen:
        assert service.run(Scope(everyone=True), p) is one
    assert len(seen) == 2  # the two version statements
    add_sale(first, closed="2026-03-25", amount=5)
    db.session.flush()
    from lms.models import SalesImport

    db.session.add(SalesImport(source="test", preset="generic", file_hash="x"))
    db.session.commit()
    assert service.run(Scope(everyone=True), p) is not one
