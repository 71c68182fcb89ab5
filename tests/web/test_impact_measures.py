"""The impact analysis with another training measure (booster retention, predicted recall, a
coaching skill rating) and with the skill rating as an outcome: the page, the API and
`lms report impact`, their errors, the cache and the statement counts."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.analytics.report_cache import ReportCache
from lms.analytics.sales_commands import impact_command
from lms.api.auth import create_token
from lms.boosters.switches import save_setting
from lms.clock import local_today
from lms.coaching.rubrics import sync_rubrics
from lms.extensions import db
from lms.learning.catalog import live_item
from lms.models import (
    BoosterCard,
    BoosterReview,
    ContentKind,
    Observation,
    Rating,
    Role,
    RubricVersion,
    utcnow,
)
from tests.conftest import REPO, login
from tests.factories import make_team, make_user
from tests.impact_helpers import add_sale, statements, train
from tests.learning_helpers import sync, write_practice

IMPACT = "/manage/sales-reports/impact"
API = "/api/v1/reports/impact"
MODULE = {"training": "module:practice-module", "measure": "revenue", "window": "90"}


def html(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


def answer_boosters(person, right: int, wrong: int) -> None:  # noqa: ANN001
    """``right`` and ``wrong`` booster answers in the last weeks, over the person's cards."""
    cards = db.session.scalars(select(BoosterCard).where(BoosterCard.user_id == person.id)
                               .order_by(BoosterCard.id)).all()
    assert cards, "boosters are on: passing the quiz makes cards"
    for n in range(right + wrong):
        card = cards[n % len(cards)]
        correct = n < right
        db.session.add(BoosterReview(
            card_id=card.id, user_id=person.id, quiz_version_id=card.learned_version_id,
            response=None, correct=correct, outcome="correct" if correct else "incorrect",
            rating=3 if correct else 1, answered_at=utcnow() - timedelta(days=2 + n)))


def observe(person, boss, day, ratings: dict[str, int], low: int = 1,  # noqa: ANN001
            high: int = 4) -> Observation:
    version = db.session.scalar(select(RubricVersion).order_by(RubricVersion.id))
    observation = Observation(user_id=person.id, observer_id=boss.id,
                              rubric_version_id=version.id, scale_low=low, scale_high=high,
                              kind="ride_along", observed_on=day, next_step="Practise",
                              next_step_due=day)
    observation.ratings = [Rating(skill_id=skill, skill_name=skill.title(), position=i,
                                  rating=level)
                           for i, (skill, level) in enumerate(ratings.items())]
    db.session.add(observation)
    return observation


def add_person(team, boss, i: int, day, *, boosters: bool = True,  # noqa: ANN001
               coached: bool = True):  # noqa: ANN202
    """Trained on ``day``; revenue after training, booster retention and the skill rating
    rise with ``i``; before training everyone is alike."""
    person = make_user(name=f"Rep {i:02d}", email=f"rep{i}@example.com", team=team)
    train(person, day.isoformat(), [4 + i % 2])
    for k in range(3):
        add_sale(person, closed=(day + timedelta(days=5 + 10 * k)).isoformat(),
                 amount=1000 + 500 * i + 150 * (i % 3))
    for k in range(3):
        add_sale(person, closed=(day - timedelta(days=10 + 10 * k)).isoformat(), amount=1000)
    if boosters:
        answer_boosters(person, right=i + 1, wrong=9 - i)
    if coached:
        observe(person, boss, day - timedelta(days=30), {"closing": 2, "discovery": 2})
        observe(person, boss, day + timedelta(days=50),
                {"closing": 1 + min(i // 3, 3), "discovery": 2 + i % 2}, low=1, high=4)
    return person


@pytest.fixture
def org(app, content_copy):  # noqa: ANN001, ANN201
    """Ten people trained on the practice module 100 days ago, with boosters on; an eleventh
    trained without boosters or coaching; two not trained."""
    write_practice(content_copy, grading_method="highest")
    sync(content_copy)
    sync_rubrics(REPO / "content" / "rubrics")
    save_setting(live_item(ContentKind.MODULE, "practice-module"), enabled=True, per_day=3,
                 by=None)
    app.config["IMPACT_MIN_N"] = 5
    boss = make_user(Role.MANAGER, email="boss@example.com", name="Boss")
    team = make_team("Impact", managers=[boss])
    day = local_today() - timedelta(days=100)
    people = [add_person(team, boss, i, day) for i in range(10)]
    people.append(add_person(team, boss, 10, day, boosters=False, coached=False))
    for i in range(2):
        person = make_user(name=f"New {i}", email=f"new{i}@example.com", team=team)
        add_sale(person, closed=(day + timedelta(days=3)).isoformat())
    db.session.commit()
    return {"boss": boss, "team": team, "day": day, "people": people}


def page(client, **args):  # noqa: ANN001, ANN003, ANN201
    return client.get(IMPACT, query_string={**MODULE, **args})


def test_retention_as_the_training_measure_on_the_page(client, org):
    login(client, "boss@example.com")
    response = page(client, training_measure="retention")
    assert response.status_code == 200
    text = html(response)
    assert "Retention: booster answers right and revenue won after training" in text
    # The explanation names the measure and says when it is measured.
    assert "the share of each person&#39;s booster answers" in text
    assert "The numbers behind the chart (10 people)" in text and "<svg" in text
    # The person without boosters is left out of the score figures, and counted.
    assert "1 trained person has no value of it" in text
    assert "modules in the last 60 days" in text.split("Rep 10</th>")[-1].split("</tr>")[0]
    r = _pearson(client, "retention")
    assert r > 0.8  # built in: better retention, more revenue after


def _pearson(client, training_measure: str, measure: str = "revenue") -> float:  # noqa: ANN001
    """Pearson's r of the chosen training measure with the measure, through the API."""
    token = create_token(_boss())[1]
    db.session.commit()
    response = client.get(API, query_string={"module": "practice-module", "measure": measure,
                                             "training_measure": training_measure},
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.json
    figure = next(c for c in response.json["correlations"] if c["measure"] == measure)
    assert figure["enough_data"]
    return figure["pearson"]["r"]


def _boss():  # noqa: ANN202
    from lms.models import User

    return db.session.scalar(select(User).where(User.email == "boss@example.com"))


def test_predicted_recall_and_skill_ratings_as_the_training_measure(client, org):
    login(client, "boss@example.com")
    text = html(page(client, training_measure="recall"))
    assert "Predicted recall: the booster scheduler" in text
    text = html(page(client, training_measure="skill_rating"))
    assert "Skill rating and revenue won after training" in text
    assert "coaching ratings of every skill" in text
    assert "The numbers behind the chart (10 people)" in text
    assert _pearson(client, "skill_rating") > 0.5
    # One skill, chosen by id; the form lists it.
    text = html(page(client, training_measure="skill_rating:closing"))
    assert 'value="skill_rating:closing" selected' in text
    assert "Skill rating: Closing and revenue won after training" in text
    assert "coaching ratings of the skill Closing" in text
    assert _pearson(client, "skill_rating:closing") > 0.8


def test_training_relates_to_later_skill_ratings(app, client, org):
    login(client, "boss@example.com")
    text = html(page(client, measure="skill_rating"))
    assert '<option value="skill_rating" selected>Skill rating</option>' in text
    assert "Training score and skill rating after training" in text
    assert "At least one rated coaching observation in a window" in text
    assert "Observations after" in text
    result = app.test_cli_runner().invoke(impact_command, [
        "--module", "practice-module", "--measure", "skill_rating", "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["effect"] is None  # the causal estimates are the sales measures'
    person = next(p for p in payload["people"] if p["name"] == "Rep 09")
    assert person["after"]["observations"] == 1 and person["before"]["observations"] == 1
    # (4 - 1) / 3 for closing and (3 - 1) / 3 for discovery, before: (2 - 1) / 3 for both.
    assert person["after"]["values"]["skill_rating"] == pytest.approx(round(5 / 6, 4))
    assert person["before"]["values"]["skill_rating"] == pytest.approx(round(1 / 3, 4))
    # The score sample recomputes from the people with the rules stated: no deal minimum.
    xs = [p["training_value"] for p in payload["people"]
          if p["group"] != "not_trained" and p["training_value"] is not None
          and p["after"]["complete"] and p["after"]["values"]["skill_rating"] is not None]
    figure = next(c for c in payload["correlations"] if c["measure"] == "skill_rating")
    assert figure["n"] == len(xs) == 10 and figure["enough_data"]
    did = payload["difference_in_differences"]["skill_rating"]
    assert did["n_trained"] == 10
    assert "skill_rating" in payload["analysis"]["rules"]
    table = app.test_cli_runner().invoke(impact_command, [
        "--module", "practice-module", "--measure", "skill_rating"])
    assert table.exit_code == 0, table.output
    assert "Skill rating after training, by group" in table.output


def test_without_observations_the_skill_rating_is_not_offered(client, org):
    db.session.execute(Observation.__table__.delete())
    db.session.commit()
    login(client, "boss@example.com")
    text = html(page(client))
    assert 'value="skill_rating"' not in text.split('id="f-measure"')[1].split("</select>")[0]
    assert "Skill ratings come once coaching observations are recorded." in text
    response = page(client, measure="skill_rating")
    assert response.status_code == 400 and "Choose one of the measures" in html(response)
    response = page(client, training_measure="skill_rating")
    assert response.status_code == 400
    assert "Choose one of the training measures in the list." in html(response)


@pytest.mark.parametrize(("value", "message"), [
    ("bogus", "Unknown training measure"),
    ("score:x", "Unknown training measure"),
    ("skill_rating:", "Unknown training measure"),
    ("skill_rating:juggling", "No coaching observation rates a skill"),
])
def test_bad_training_measures_are_refused_clearly(app, client, org, value, message):
    login(client, "boss@example.com")
    response = page(client, training_measure=value)
    assert response.status_code == 400
    assert "Choose one of the training measures in the list." in html(response)
    token = create_token(org["boss"])[1]
    db.session.commit()
    response = client.get(API, query_string={"module": "practice-module",
                                             "training_measure": value},
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400 and message in response.json["error"]["message"]
    result = app.test_cli_runner().invoke(impact_command, [
        "--module", "practice-module", "--training-measure", value])
    assert result.exit_code == 1 and message in result.output


def test_the_cli_takes_the_training_measure(app, org):
    result = app.test_cli_runner().invoke(impact_command, [
        "--module", "practice-module", "--measure", "revenue", "--training-measure",
        "retention"])
    assert result.exit_code == 0, result.output
    assert "Retention: booster answers right and each measure after training" in result.output
    assert "1 trained person has no value of the training measure" in result.output


def _n(client, training_measure: str) -> str:  # noqa: ANN001
    text = html(page(client, training_measure=training_measure))
    return text.split("The numbers behind the chart (")[1].split(")")[0]


def test_the_cache_sees_a_booster_answered_and_an_observation_recorded(client, org):
    login(client, "boss@example.com")
    newcomer = org["people"][10]
    assert _n(client, "retention") == "10 people"
    answer_boosters(newcomer, right=1, wrong=0)
    db.session.commit()
    assert _n(client, "retention") == "11 people"
    assert _n(client, "skill_rating") == "10 people"
    observe(newcomer, org["boss"], local_today() - timedelta(days=1), {"closing": 3})
    db.session.commit()
    assert _n(client, "skill_rating") == "11 people"


def _statements(app, client, args: dict) -> tuple[int, int]:  # noqa: ANN001
    views = []
    for cache in app.extensions.values():
        if isinstance(cache, ReportCache):
            cache.clear()
    for _ in range(2):
        with statements() as seen:
            assert page(client, **args).status_code == 200
        views.append(len(seen))
    return views[0], views[1]


@pytest.mark.parametrize("args", [
    {"training_measure": "retention"}, {"training_measure": "recall"},
    {"training_measure": "skill_rating:closing"}, {"measure": "skill_rating"},
])
def test_statement_counts_do_not_grow_with_the_people(app, client, org, args):
    login(client, "boss@example.com")
    _statements(app, client, args)  # content versions parsed once per process
    few = _statements(app, client, args)
    for i in range(11, 20):
        add_person(org["team"], org["boss"], i, org["day"])
    db.session.commit()
    assert _statements(app, client, args) == few
