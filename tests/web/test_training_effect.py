"""Training impact without a randomised rollout: difference in differences with people not yet
trained as the comparison, on the page, the API and the command line. A world built with a
known effect is recovered within its interval, one without is not called an effect, and the
event study before training sits around 0."""

from __future__ import annotations

import json
import re

import jsonschema_rs
import pytest
from sqlalchemy import select
from statsmodels.stats.multitest import multipletests

from lms.analytics.training_effect import training_effects
from lms.api.auth import create_token
from lms.extensions import db
from lms.models import Role, User
from lms.security import Scope
from tests.conftest import login
from tests.effect_worlds import TEAMS, self_paced_world
from tests.factories import make_user


def assert_matches_the_description(client, body: dict) -> None:  # noqa: ANN001
    """The answer holds to the Impact schema of /api/v1/openapi.json."""
    document = client.get("/api/v1/openapi.json").json
    schema = {"$ref": "#/components/schemas/Impact", "components": document["components"]}
    jsonschema_rs.Draft202012Validator(schema).validate(body)  # schemathesis brings it


def estimate(item, today):  # noqa: ANN001, ANN202
    return training_effects(Scope(everyone=True), item, window_days=90, today=today,
                            follow_up_days=14)


@pytest.mark.parametrize("seed", [3, 4])
def test_a_known_effect_is_recovered_by_difference_in_differences(app, runner, seed):
    item, today = self_paced_world(runner, effect=0.12, seed=seed)
    result = estimate(item, today)
    assert result.design == "self_paced" and not result.by_team
    win = result.effects["win_rate"]
    assert win.estimator == "callaway_santanna" and win.trustworthy_interval
    assert win.ci_low <= 0.12 <= win.ci_high
    assert "win_rate" in result.claimed()
    # Before training the trained and the not yet trained moved alike: every pre-period's
    # interval holds 0 (with 5 periods one might not by chance; these seeds are fixed).
    before = [p for p in result.event_study["win_rate"] if p.offset_days < -30
              and p.estimate is not None]
    assert len(before) >= 3 and all(p.ci_low <= 0 <= p.ci_high for p in before)
    after = [p for p in result.event_study["win_rate"] if p.offset_days >= 30
             and p.estimate is not None]
    assert after and sum(p.estimate for p in after) / len(after) > 0.06


def test_no_effect_is_not_called_one(app, runner):
    item, today = self_paced_world(runner, effect=0.0, seed=5)
    result = estimate(item, today)
    assert result.effects["win_rate"].ci_low <= 0 <= result.effects["win_rate"].ci_high
    assert result.claimed() == []
    # The ten q-values are Benjamini-Hochberg over the ten p-values.
    keys = [k for k, e in result.effects.items() if e.p_value is not None]
    _, expected, _, _ = multipletests([result.effects[k].p_value for k in keys],
                                      method="fdr_bh")
    assert [result.q_values[k] for k in keys] == pytest.approx(list(expected))


def test_training_given_to_whole_teams_is_clustered_by_team(app, runner):
    item, today = self_paced_world(runner, effect=0.12, seed=3, by_team=True)
    result = estimate(item, today)
    assert result.by_team and result.design == "everyone_now"
    win = result.effects["win_rate"]
    assert win.clusters == TEAMS and win.trustworthy_interval


def test_fewer_than_eight_teams_show_no_interval(app, runner):
    item, today = self_paced_world(runner, effect=0.12, seed=3, by_team=True)
    for user in db.session.scalars(select(User).where(User.role == Role.LEARNER.value)):
        user.team_id = min(user.team_id, db.session.scalar(select(User.team_id)
                                                           .order_by(User.team_id)) + 3)
    db.session.commit()
    win = estimate(item, today).effects["win_rate"]
    assert win.estimate is not None and win.ci_low is None and not win.trustworthy_interval
    assert "fewer than 8" in win.note


def test_the_page_api_and_command_show_the_estimate_and_the_event_study(app, runner):
    self_paced_world(runner, effect=0.12, seed=3)
    make_user(Role.ADMIN, email="admin@example.com")
    client = app.test_client()
    login(client, "admin@example.com")
    page = client.get("/manage/sales-reports/impact?training=path:customer-insight"
                      "&measure=win_rate&window=90").get_data(as_text=True)
    assert "What the training changed" in page and "Self-paced" in page
    assert "would have moved alike" in page
    assert 'class="chart event-study"' in page and "the base: 0 by construction" in page
    summary = page[page.index("Effects found (q below 0.05): "):].split("</p>")[0]
    assert "win rate" in summary and "days to resolve" not in summary
    assert re.search(r'data-label="95 % interval"><span class="nowrap">[+−]\d+\.\d points to</span>'
                     r' <span class="nowrap">\+\d+\.\d points</span>', page)
    assert "What goes together: descriptive figures" in page
    assert "r with the value before held constant" in page

    admin = db.session.scalar(select(User).where(User.email == "admin@example.com"))
    _, plain = create_token(admin)
    db.session.commit()
    body = client.get("/api/v1/reports/impact?path=customer-insight&measure=win_rate",
                      headers={"Authorization": f"Bearer {plain}"}).json
    assert_matches_the_description(client, body)
    effect = body["effect"]
    assert effect["design"] == "self_paced" and effect["estimator"] == "callaway_santanna"
    assert effect["ci_low"] <= 0.12 <= effect["ci_high"] and effect["claimed"]
    assert [p["offset_days"] for p in effect["event_study"]] == list(range(-180, 181, 30))
    assert set(body["effects"]) == {m["key"] for m in body["measures"]}
    assert all(p["wave"] is None for p in body["people"])
    assert body["correlations"][0]["pearson"] is None or "q_value" in body["correlations"][0][
        "pearson"]

    result = runner.invoke(args=["report", "impact", "--path", "customer-insight",
                                 "--measure", "win_rate"])
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first.startswith("Self-paced (each person trained when they got to it) (an "
                            "estimate that holds if")
    assert ": an effect; trained n = " in first
    assert "Event study: win rate" in result.output
    data = json.loads(runner.invoke(args=["report", "impact", "--path", "customer-insight",
                                          "--measure", "win_rate", "--format", "json"]).output)
    assert data["effect"]["estimate"] == pytest.approx(effect["estimate"])
