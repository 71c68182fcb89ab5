"""The sales performance and training impact pages, their CSV, `lms report sales|impact` and
GET /api/v1/reports/impact: access, team scope, and figures that recompute from the JSON."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from datetime import timedelta

import pytest

from lms.analytics import stats
from lms.analytics.impact import impact_cache
from lms.analytics.sales_commands import impact_command, sales_command
from lms.api.auth import create_token
from lms.clock import local_today
from lms.extensions import db
from lms.models import Role
from tests.conftest import login
from tests.factories import make_team, make_user
from tests.impact_helpers import add_sale, train
from tests.learning_helpers import sync, write_practice

PERF = "/manage/sales-reports/"
IMPACT = "/manage/sales-reports/impact"
API = "/api/v1/reports/impact"


def html(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


@pytest.fixture
def org(app):  # noqa: ANN001, ANN201
    """Two teams with a manager each, and an admin; deals in the last weeks."""
    noord_boss, zuid_boss = make_user("manager", email="noord@example.com"), \
        make_user("manager", email="zuid@example.com")
    noord = make_team("Noord", managers=[noord_boss])
    zuid = make_team("Zuid", managers=[zuid_boss])
    make_user("admin", email="admin@example.com")
    anna = make_user(name="Anna Noord", email="anna@example.com", team=noord)
    bram = make_user(name="=HYPERLINK(\"http://evil\")", email="bram@example.com", team=noord)
    zoe = make_user(name="Zoë Zuid", email="zoe@example.com", team=zuid)
    recent = (local_today() - timedelta(days=5)).isoformat()
    add_sale(anna, closed=recent, amount=5000)
    add_sale(anna, closed=recent, amount=1000, stage="lost")
    add_sale(bram, closed=recent, amount=800)
    add_sale(zoe, closed=recent, amount=99999)
    db.session.commit()
    return {"noord": noord, "zuid": zuid, "anna": anna, "bram": bram, "zoe": zoe}


# --- access and scope -------------------------------------------------------------------------

@pytest.mark.parametrize("url", [PERF, PERF + "performance.csv", IMPACT])
def test_only_managers_and_admins(client, org, url):
    assert client.get(url).status_code == 302  # to the login page
    login(client, "anna@example.com")
    assert client.get(url).status_code == 403


def test_a_manager_sees_their_team_only(client, org):
    login(client, "noord@example.com")
    page = html(client.get(PERF))
    assert "Anna Noord" in page and "€5,000" in page and "50.0 %" in page
    assert "Zoë" not in page and "99,999" not in page
    assert client.get(PERF, query_string={"team": org["zuid"].id}).status_code == 404
    assert client.get(IMPACT, query_string={"team": org["zuid"].id}).status_code == 404
    assert client.get(PERF, query_string={"team": "x"}).status_code == 404


def test_an_admin_sees_everyone_and_can_pick_a_team(client, org):
    login(client, "admin@example.com")
    page = html(client.get(PERF))
    assert "Anna Noord" in page and "Zoë Zuid" in page
    page = html(client.get(PERF, query_string={"team": org["zuid"].id}))
    assert "Zoë Zuid" in page and "Anna Noord" not in page


def test_sorting_by_a_column(client, org):
    login(client, "noord@example.com")
    ascending = html(client.get(PERF, query_string={"sort": "revenue", "dir": "asc"}))
    descending = html(client.get(PERF, query_string={"sort": "revenue", "dir": "desc"}))
    assert ascending.index("HYPERLINK") < ascending.index("Anna Noord")
    assert descending.index("Anna Noord") < descending.index("HYPERLINK")
    assert 'aria-sort="descending"' in descending


def test_a_large_table_comes_in_pages(client, org, monkeypatch):
    from lms.manage import sales_reports

    monkeypatch.setattr(sales_reports, "PAGE_SIZE", 1)
    login(client, "noord@example.com")
    first = html(client.get(PERF, query_string={"sort": "name", "dir": "asc"}))
    # "=HYPERLINK..." sorts before "Anna Noord".
    assert "page 1 of 2" in first and "HYPERLINK" in first and "Anna Noord" not in first
    assert 'rel="next"' in first and "for 2 salespeople" in first
    second = html(client.get(PERF, query_string={"sort": "name", "dir": "asc", "page": 2}))
    assert "page 2 of 2" in second and "Anna Noord" in second and "HYPERLINK" not in second
    beyond = html(client.get(PERF, query_string={"sort": "name", "dir": "asc", "page": 9}))
    assert "page 2 of 2" in beyond


def test_the_period_is_checked(client, org):
    login(client, "noord@example.com")
    response = client.get(PERF, query_string={"from": "2026-02-30"})
    assert response.status_code == 400 and "is not a date" in html(response)
    response = client.get(PERF, query_string={"from": "2026-03-01", "to": "2026-02-01"})
    assert response.status_code == 400 and "must start on or before" in html(response)
    old = html(client.get(PERF, query_string={"from": "2020-01-01", "to": "2020-01-31"}))
    assert "Anna Noord" in old and "€5,000" not in old


def test_the_csv_export_neutralises_formulas(client, org):
    login(client, "noord@example.com")
    response = client.get(PERF + "performance.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers[
        "Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(html(response))))
    assert [r["Name"] for r in rows] == ["Anna Noord", "'=HYPERLINK(\"http://evil\")"]
    anna = rows[0]
    assert float(anna["Revenue won"]) == 5000 and anna["Win rate"] == "0.5"
    assert anna["Closed deals"] == "2" and anna["Customer satisfaction"] == ""


# --- the CLI ----------------------------------------------------------------------------------

def test_report_sales_as_json_csv_and_table(app, org):
    runner = app.test_cli_runner()
    result = runner.invoke(sales_command, ["--format", "json"])
    assert result.exit_code == 0, result.output
    records = {r["name"]: r for r in json.loads(result.output)}
    assert set(records) == {"Anna Noord", '=HYPERLINK("http://evil")', "Zoë Zuid"}
    assert records["Zoë Zuid"]["revenue"] == 99999.0
    assert set(records["Anna Noord"]) >= {"won_deals", "follow_up_rate", "from", "to"}
    result = runner.invoke(sales_command, ["--team", "zuid", "--format", "csv"])
    assert result.exit_code == 0 and "Zoë Zuid" in result.output and "Anna" not in result.output
    result = runner.invoke(sales_command, ["--from", "2020-01-01", "--to", "2020-12-31"])
    assert result.exit_code == 0 and "2020-01-01 to 2020-12-31" in result.output
    assert runner.invoke(sales_command, ["--team", "Nowhere"]).exit_code == 1
    assert runner.invoke(sales_command, ["--from", "2021-01-02", "--to", "2021-01-01"]
                         ).exit_code == 1


def test_the_report_group_has_the_sales_commands(runner):
    result = runner.invoke(args=["report", "--help"])
    assert "sales" in result.output and "impact" in result.output


@pytest.fixture
def trained(app, content_copy):  # noqa: ANN001, ANN201
    """Twelve people trained on the practice module 100 days ago with scores from 40 to 100
    % (retakes for some), sales after it that rise with the score, and two not trained."""
    write_practice(content_copy, grading_method="highest")
    sync(content_copy)
    app.config["IMPACT_MIN_N"] = 5
    boss = make_user("manager", email="boss@example.com", name="Boss")
    team = make_team("Impact", managers=[boss])
    day = local_today() - timedelta(days=100)
    people = []
    for i in range(12):
        person = make_user(name=f"Rep {i:02d}", email=f"rep{i}@example.com", team=team)
        correct = [2 + i % 4] if i % 4 else [2, 5]  # 40 % then 100 %, or 60-100 % at once
        train(person, day.isoformat(), correct)
        for k in range(3 + i % 4 + (i % 4 == 0) * 3):
            add_sale(person, closed=(day + timedelta(days=5 + k)).isoformat(),
                     satisfaction=3 + (i % 4 > 1), scale=5, amount=1000 + 100 * i)
        add_sale(person, stage="lost", closed=(day + timedelta(days=20)).isoformat())
        add_sale(person, closed=(day - timedelta(days=10)).isoformat())
        people.append(person)
    for i in range(2):
        person = make_user(name=f"New {i}", email=f"new{i}@example.com", team=team)
        add_sale(person, closed=(day + timedelta(days=3)).isoformat())
    db.session.commit()
    return people


def recompute(payload: dict, measure: str) -> tuple[list[float], list[float]]:
    """The score sample, from the people list and the rules the JSON states."""
    low = payload["analysis"]["min_closed_deals"]
    xs, ys = [], []
    for p in payload["people"]:
        after = p["after"]
        if (p["group"] != "not_trained" and p["training_score"] is not None
                and after["complete"] and after["closed_deals"] >= low
                and after["values"][measure] is not None):
            xs.append(p["training_score"])
            ys.append(after["values"][measure])
    return xs, ys


def check_recomputes(payload: dict) -> None:
    for entry in payload["correlations"]:
        xs, ys = recompute(payload, entry["measure"])
        assert entry["n"] == len(xs)
        if not entry["enough_data"]:
            assert entry["pearson"] is None
            continue
        mine = stats.pearson(xs, ys)
        if mine is None:
            assert entry["pearson"] is None
            continue
        # Written out independently of lms.analytics.stats as well.
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        r = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / math.sqrt(
            sum((x - mx) ** 2 for x in xs) * sum((y - my) ** 2 for y in ys))
        assert entry["pearson"]["r"] == pytest.approx(r, abs=1e-9)
        assert entry["pearson"]["p_value"] == pytest.approx(mine.p_value, abs=1e-12)
        assert entry["spearman"]["r"] == pytest.approx(stats.spearman(xs, ys).r, abs=1e-9)


def test_report_impact_json_recomputes(app, trained):
    result = app.test_cli_runner().invoke(
        impact_command, ["--module", "practice-module", "--measure", "won_deals", "--window",
                         "60", "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    analysis = payload["analysis"]
    assert analysis["training"]["slug"] == "practice-module" and analysis["window_days"] == 60
    assert analysis["note"] == "Correlation, not proof of cause."
    assert analysis["min_n"] == 5 and analysis["trained"] == 12
    won = next(c for c in payload["correlations"] if c["measure"] == "won_deals")
    assert won["enough_data"] and won["n"] == 12 and won["pearson"]["r"] > 0.5
    check_recomputes(payload)
    person = next(p for p in payload["people"] if p["name"] == "Rep 00")
    assert person["group"] == "later" and person["training_score"] == 100.0
    assert person["training_date"] == (local_today() - timedelta(days=100)).isoformat()
    assert person["before"]["values"]["won_deals"] == 1 and person["after"]["closed_deals"] == 7
    new = next(p for p in payload["people"] if p["name"] == "New 0")
    assert new["group"] == "not_trained" and new["training_date"] is None
    left_out = {e["name"]: e for e in payload["excluded"]}
    assert left_out["New 0"]["left_out_of"] == ["groups", "before-after"]


def test_report_impact_table_and_errors(app, trained):
    runner = app.test_cli_runner()
    result = runner.invoke(impact_command, ["--module", "practice-module"])
    assert result.exit_code == 0, result.output
    assert "Correlation, not proof of cause." in result.output
    assert "Win rate" in result.output and "Left out" in result.output
    assert runner.invoke(impact_command, ["--module", "nope"]).exit_code == 1
    assert runner.invoke(impact_command, ["--window", "10"]).exit_code == 2
    assert runner.invoke(impact_command, ["--path", "a", "--module", "b"]).exit_code == 1


# --- the impact page and the API -------------------------------------------------------------

def test_the_impact_page_shows_the_figures_and_the_guards(client, trained):
    login(client, "boss@example.com")
    page = html(client.get(IMPACT, query_string={"training": "module:practice-module",
                                                 "measure": "won_deals", "window": "60"}))
    assert page.count("Correlation, not proof of cause.") >= 5
    assert "Pearson r" in page and "<svg" in page and "impact-scatter__fit" in page
    assert "The numbers behind the chart (12 people)" in page
    assert "New 0" in page and "1 closed deal after the reference day" in page
    assert "the 60 days after each person" in page
    # The path is completed by nobody here: no numbers, only "not enough data".
    page = html(client.get(IMPACT, query_string={"training": "path:practice-path"}))
    assert "Not enough data" in page and "<svg" not in page


def test_a_large_impact_page_shades_its_chart_and_lists_the_rest_in_a_csv(
        client, trained, monkeypatch):
    """At 10,000 people the page was 4 MB: a dot and a table row per person. Above the
    limits the chart shades squares, each table shows its first rows by name, and the CSV
    holds everyone, with the reasons, in the team the page shows."""
    from lms.analytics import scatter
    from lms.manage import sales_reports

    monkeypatch.setattr(scatter, "MOST_DOTS", 5)
    monkeypatch.setattr(sales_reports, "MOST_ROWS", 3)
    login(client, "boss@example.com")
    choice = {"training": "module:practice-module", "measure": "won_deals", "window": "60"}
    page = html(client.get(IMPACT, query_string=choice))
    assert "<circle" not in page and "people: score" in page
    assert "Each square is shaded by how many people fall in it" in page
    assert "The numbers behind the chart (12 people)" in page
    assert "The first 3 of 12, by name." in page and "Rep 02" in page and "Rep 03" not in page
    link = re.search(r'<a href="([^"]+)">download as CSV</a>', page).group(1)
    response = client.get(link.replace("&amp;", "&"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(html(response))))
    assert [r["Name"] for r in rows] == ["New 0", "New 1"] + [f"Rep {i:02d}" for i in range(12)]
    rep = next(r for r in rows if r["Name"] == "Rep 00")
    assert rep["In the score figures"] == "yes" and rep["Closed deals (After)"] == "7"
    assert rep["Group"] == "Passed after a retake" and rep["Training score"] == "100.0"
    new = next(r for r in rows if r["Name"] == "New 0")
    assert new["In the score figures"] == "no" and new["Left out of"] == "Groups, Before and after"
    assert "closed deal after the reference day" in new["Why"]
    bad = client.get(IMPACT + ".csv", query_string={**choice, "window": "400"})
    assert bad.status_code == 400 and "30 to 365" in html(bad)
    salesperson = client.application.test_client()
    login(salesperson, "rep0@example.com")
    assert salesperson.get(link.replace("&amp;", "&")).status_code == 403


def test_the_impact_page_checks_its_choices(client, trained):
    login(client, "boss@example.com")
    assert client.get(IMPACT, query_string={"window": "400"}).status_code == 400
    assert client.get(IMPACT, query_string={"measure": "profit"}).status_code == 400
    response = client.get(IMPACT, query_string={"training": "module:nope"})
    assert response.status_code == 400 and "no module" in html(response)


def test_the_api_needs_a_manager_token_and_keeps_the_scope(app, client, trained):
    boss = next(u for u in [make_user("manager", email="other@example.com")])
    rep_token = create_token(trained[0])[1]
    boss_token = create_token(boss)[1]
    admin_token = create_token(make_user("admin"))[1]
    db.session.commit()
    assert client.get(API).status_code == 401
    assert client.get(API, headers={"Authorization": f"Bearer {rep_token}"}).status_code == 403
    # A manager of no team sees nobody: every figure is "not enough data".
    response = client.get(API, query_string={"module": "practice-module"},
                          headers={"Authorization": f"Bearer {boss_token}"})
    assert response.status_code == 200 and response.json["people"] == []
    assert client.get(API, query_string={"team": "Impact"},
                      headers={"Authorization": f"Bearer {boss_token}"}).status_code == 404
    response = client.get(API, query_string={"module": "practice-module", "measure":
                                             "satisfaction", "team": "Impact"},
                          headers={"Authorization": f"Bearer {admin_token}"})
    assert response.status_code == 200
    payload = response.json
    assert payload["analysis"]["team"] == "Impact" and len(payload["people"]) == 14
    check_recomputes(payload)
    bad = client.get(API, query_string={"window": "x"},
                     headers={"Authorization": f"Bearer {admin_token}"})
    assert bad.status_code == 400 and "window" in bad.json["error"]["message"]


def test_the_manager_role_is_needed_for_a_token_of_a_trainer(client, trained):
    token = create_token(make_user(Role.TRAINER))[1]
    db.session.commit()
    assert client.get(API, headers={"Authorization": f"Bearer {token}"}).status_code == 403
    impact_cache().clear()


def test_sorting_and_the_csv_read_the_aggregate_once_until_the_sales_change(client, org):
    from lms.sales.importer import import_sales
    from tests.impact_helpers import statements

    login(client, "noord@example.com")
    with statements() as first:
        client.get(PERF, query_string={"sort": "revenue"})
    with statements() as again:
        html(client.get(PERF, query_string={"sort": "name", "dir": "asc"}))
        client.get(PERF + "performance.csv")
    aggregate = [s for s in first if "sum(" in s.lower()]
    assert aggregate and not [s for s in again if "sum(" in s.lower()]
    # A CRM import is a change of the sales: the next view shows it.
    recent = (local_today() - timedelta(days=3)).isoformat()
    export = ("crm_id,owner_email,stage,created_on,closed_on,amount,currency\r\n"
              f"NEW-1,anna@example.com,won,{recent},{recent},70000,EUR\r\n").encode()
    assert import_sales(export, "generic").ok
    db.session.commit()
    assert "€75,000" in html(client.get(PERF))
