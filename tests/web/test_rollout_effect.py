"""A randomised rollout's effect on a sales measure: a world built with a known effect is
recovered within its interval, and one with no effect is not called an effect."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select
from statsmodels.stats.multitest import multipletests

from lms.analytics.rollout_effect import rollout_effect
from lms.api.auth import create_token
from lms.clock import local_today
from lms.extensions import db
from lms.learning.catalog import live_item
from lms.models import ContentKind, Role, User
from lms.security import Scope
from tests.conftest import login
from tests.effect_worlds import PEOPLE, randomised_world
from tests.factories import make_user
from tests.web.test_training_effect import assert_matches_the_description


@pytest.mark.parametrize("seed", [1, 2])
def test_a_known_effect_on_win_rate_is_recovered_within_its_interval(app, runner, seed):
    item, today = randomised_world(runner, effect=0.15, seed=seed)
    result = rollout_effect(Scope(everyone=True), item, "win_rate", window_days=90,
                            today=today, follow_up_days=14)
    itt = result.itt
    assert itt.design == "randomised" and itt.estimator == "ancova_itt"
    # Four strata of fifteen: each splits 7/8 or 8/7.
    assert itt.n_treated + itt.n_control == PEOPLE and abs(itt.n_treated - itt.n_control) <= 4
    assert itt.ci_low <= 0.15 <= itt.ci_high, itt
    assert itt.p_value < 0.05


def test_no_effect_is_not_called_one(app, runner):
    item, today = randomised_world(runner, effect=0.0, seed=3)
    itt = rollout_effect(Scope(everyone=True), item, "win_rate", window_days=90, today=today,
                         follow_up_days=14).itt
    assert itt.ci_low <= 0.0 <= itt.ci_high and itt.p_value > 0.05


def test_before_the_window_has_passed_it_says_when(app, runner):
    item, today = randomised_world(runner, effect=0.1, seed=4, ended=False)
    result = rollout_effect(Scope(everyone=True), item, "win_rate", window_days=90,
                            today=today, follow_up_days=14)
    assert result.itt is None and "evaluation window ends on" in result.note


def test_without_a_randomised_rollout_there_is_no_effect(app, runner):
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    item = live_item(ContentKind.PATH, "customer-insight")
    assert rollout_effect(Scope(everyone=True), item, "win_rate", window_days=90,
                          today=local_today(), follow_up_days=14) is None


def test_the_page_and_the_api_lead_with_the_effect(app, runner):
    item, today = randomised_world(runner, effect=0.15, seed=1)
    make_user(Role.ADMIN, email="admin@example.com")
    client = app.test_client()
    login(client, "admin@example.com")
    page = client.get("/manage/sales-reports/impact?training=path:customer-insight"
                      "&measure=win_rate&window=90").get_data(as_text=True)
    assert "What the training changed" in page and "Randomised rollout" in page
    assert "Randomised: a causal estimate" in page and "percentage points" in page
    admin = db.session.scalar(select(User).where(User.email == "admin@example.com"))
    _, plain = create_token(admin)
    db.session.commit()
    response = client.get("/api/v1/reports/impact?path=customer-insight&measure=win_rate",
                          headers={"Authorization": f"Bearer {plain}"})
    assert_matches_the_description(client, response.json)
    effect = response.json["effect"]
    assert effect["design"] == "randomised" and effect["estimator"] == "ancova_itt"
    assert effect["ci_low"] <= 0.15 <= effect["ci_high"]
    assert effect["n_treated"] > 0 and effect["claimed"]
    # q is Benjamini-Hochberg over the ten measures' p-values
    effects = response.json["effects"]
    keys = [k for k in effects if effects[k]["p_value"] is not None]
    _, expected, _, _ = multipletests([effects[k]["p_value"] for k in keys], method="fdr_bh")
    assert [effects[k]["q_value"] for k in keys] == pytest.approx(list(expected))
    first = {p["id"] for p in response.json["people"] if p["wave"] == 1}
    assert first and {p["wave"] for p in response.json["people"]} <= {1, 2, None}


def test_the_command_line_states_the_effect(app, runner):
    randomised_world(runner, effect=0.15, seed=2)
    result = runner.invoke(args=["report", "impact", "--path", "customer-insight",
                                 "--measure", "win_rate"])
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first.startswith("Randomised rollout (randomised: a causal estimate): effect of "
                            "Customer insight on win rate +")
    assert re.search(r"q = 0\.\d{3}: an effect; first wave n = \d+, waitlist n = \d+$", first)
    assert "What the training changed, every measure" in result.output
    result = runner.invoke(args=["report", "impact", "--path", "customer-insight",
                                 "--measure", "win_rate", "--format", "json"])
    assert json.loads(result.output)["effect"]["estimator"] == "ancova_itt"
