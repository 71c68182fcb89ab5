"""My results through the web: a person's own measures per month (and no one else's), the
numbers matching the measures, training milestones and goals on the timeline, the "on track?"
lines, the honest empty states, and the organisation of one (a self-employed admin who imports
their own deals)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, time, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import literal, select

from lms.analytics.measures import BY_KEY, format_value, measure_values, window_totals, windows_for
from lms.analytics.my_results import last_months
from lms.extensions import db
from lms.learning.catalog import live_item
from lms.learning.goals import GoalFields, create_goal
from lms.models import ContentKind, Goal, GoalKind, ModuleProgress, PathCompletion, Role, User
from tests.conftest import REPO, csrf_from, login, org_today, page_token, post_form
from tests.factories import make_team, make_user
from tests.impact_helpers import add_sale
from tests.learning_helpers import sync

URL = "/learn/results/"
TODAY = org_today()
MONTHS = last_months(TODAY)
THIS, LAST, EARLIER = MONTHS[-1], MONTHS[-2], MONTHS[-5]


class _Table(HTMLParser):
    """The rows of the results table: month heading -> {column label: text}."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, dict[str, str]] = {}
        self._in_table = False
        self._row: dict[str, str] | None = None
        self._month = ""
        self._cell: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == "table" and "results-table" in (attrs.get("class") or ""):
            self._in_table = True
        if not self._in_table:
            return
        if tag == "tr":
            self._row, self._month = {}, ""
        elif tag == "th" and attrs.get("scope") == "row":
            self._cell, self._text = "__month__", ""
        elif tag == "td":
            self._cell, self._text = attrs.get("data-label", ""), ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._in_table = False
        if not self._in_table or self._row is None:
            return
        if tag in ("td", "th") and self._cell is not None:
            if self._cell == "__month__":
                self._month = " ".join(self._text.split())
            else:
                self._row[self._cell] = self._text.strip()
            self._cell = None
        elif tag == "tr" and self._month:
            self.rows[self._month] = self._row

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._text += data


def table(page: str) -> dict[str, dict[str, str]]:
    parser = _Table()
    parser.feed(page)
    return parser.rows


def month_label(month) -> str:  # noqa: ANN001
    return month.start.strftime("%b %Y") + (" (so far)" if month.partial else "")


def day(month, n: int = 10) -> str:  # noqa: ANN001
    """The n-th day of ``month`` (today at the latest for the current month)."""
    value = month.start + timedelta(days=n - 1)
    return min(value, TODAY, month.end - timedelta(days=1)).isoformat()


def page_of(client) -> str:  # noqa: ANN001
    response = client.get(URL)
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def two_reps(app):  # noqa: ANN001, ANN201
    """Anna and Bram, each with their own deals in the same months."""
    anna = make_user(email="anna@example.com", name="Anna")
    bram = make_user(email="bram@example.com", name="Bram")
    add_sale(anna, closed=day(LAST, 3), created=day(LAST, 1), amount=1000, satisfaction=5,
             scale=5, follow_up=day(LAST, 5))
    add_sale(anna, closed=day(LAST, 8), created=day(LAST, 2), amount=2500, satisfaction=3,
             scale=5, complaint=day(LAST, 9), resolved=day(LAST, 12))
    add_sale(anna, stage="lost", closed=day(LAST, 9), amount=700)
    add_sale(anna, closed=day(EARLIER, 2), amount=400)
    add_sale(bram, closed=day(LAST, 4), amount=99_000)
    add_sale(bram, closed=day(EARLIER, 4), amount=77_000)
    db.session.commit()
    return anna, bram


def expected(user: User, month) -> dict[str, str]:  # noqa: ANN001
    """The measures of ``user`` for ``month`` as the measures module works them out."""
    people = select(literal(user.id))
    totals = window_totals(windows_for(people, month.start, month.counted_until),
                           follow_up_days=14, as_of=TODAY)
    from lms.analytics.measures import Totals

    values = measure_values(totals.get((user.id, "period"), Totals()))
    return {str(BY_KEY[k].label): format_value(k, v) for k, v in values.items()}


def test_a_salesperson_sees_their_own_measures_per_month_and_nobody_elses(client, two_reps):
    anna, bram = two_reps
    login(client, "anna@example.com")
    page = page_of(client)
    rows = table(page)
    assert list(rows) == [month_label(m) for m in reversed(MONTHS)]
    last = rows[month_label(LAST)]
    assert last["Revenue won"] == "€3,500" and last["Deals won"] == "2"
    assert last["Win rate"] == "66.7 %" and last["Closed deals"] == "3"
    assert last["Customer satisfaction"] == "75.0 %"  # (5-1)/4 and (3-1)/4
    assert last["Complaints per 10 won deals"] == "5.00"
    assert last["Days to resolve a complaint"] == "3.0 d"
    for month in (LAST, EARLIER, THIS):
        shown = rows[month_label(month)]
        assert {k: v for k, v in shown.items() if k != "Closed deals"} == expected(anna, month)
    assert rows[month_label(EARLIER)]["Revenue won"] == "€400"
    # A month without deals: revenue 0, every ratio a dash.
    empty = rows[month_label(MONTHS[0])]
    assert empty["Revenue won"] == "€0" and empty["Win rate"] == "—"
    assert "99,000" not in page and "77,000" not in page and "Bram" not in page
    # One chart per measure, with the numbers' table beside them.
    assert page.count('class="chart results-chart"') == 10
    assert 'aria-labelledby="chart-revenue-title chart-revenue-desc"' in page


def test_the_current_month_is_marked_partial(client, two_reps):
    anna, _bram = two_reps
    add_sale(anna, closed=TODAY.isoformat(), amount=123)
    db.session.commit()
    login(client, "anna@example.com")
    rows = table(page_of(client))
    assert rows[month_label(THIS)]["Revenue won"] == "€123"
    assert month_label(THIS).endswith("(so far)")


def test_milestones_and_goals_are_on_the_timeline(app, client, two_reps):
    sync(REPO)
    anna, _bram = two_reps
    path = live_item(ContentKind.PATH, "new-hire-onboarding")
    module = live_item(ContentKind.MODULE, "company-and-product-range")
    completed = datetime.combine(LAST.start + timedelta(days=14), time(9), tzinfo=UTC)
    db.session.add(PathCompletion(user_id=anna.id, path_id=path.id, completed_at=completed))
    db.session.add(ModuleProgress(user_id=anna.id, module_id=module.id, read_at=completed,
                                  completed_at=completed - timedelta(days=3)))
    # Long ago: before the twelve months, so not on this timeline.
    old = live_item(ContentKind.MODULE, "objection-handling")
    db.session.add(ModuleProgress(user_id=anna.id, module_id=old.id,
                                  completed_at=completed - timedelta(days=500)))
    revenue = create_goal(anna, GoalFields(kind=GoalKind.REVENUE, target=50_000,
                                           starts_on=LAST.start,
                                           deadline=TODAY + timedelta(days=40)))
    met = create_goal(anna, GoalFields(kind=GoalKind.WON_DEALS, target=2,
                                       starts_on=LAST.start, deadline=TODAY + timedelta(days=9)))
    create_goal(anna, GoalFields(kind=GoalKind.COMPLETE_PATH,
                                 item=live_item(ContentKind.PATH, "customer-insight"),
                                 deadline=TODAY + timedelta(days=90)))
    db.session.commit()
    login(client, "anna@example.com")
    page = page_of(client)
    assert "Learning path “New hire onboarding”" in page
    assert "Module “Brewline and its product range”" in page
    assert "Objection" not in page.split("Training completed")[1].split("Goals")[0]
    assert "Finish “Customer insight”" in page and "€50,000 revenue" in page
    # The revenue goal's "on track?" line: €3,500 of €50,000, measured from its start.
    track = page.split(f'id="track-{revenue.id}"')[1].split("</li>")[0]
    assert "€3,500 so far, of €50,000." in track
    assert "At risk" in track or "On track" in track
    # Drawn: the path on every chart (numbered), the revenue target on the revenue chart.
    assert page.count("Completed the learning path “New hire onboarding”") == 11
    revenue_chart = page.split('id="measure-revenue"')[1].split("</figure>")[0]
    assert "€50,000 revenue" in revenue_chart
    win_chart = page.split('id="measure-win_rate"')[1].split("</figure>")[0]
    assert "€50,000 revenue" not in win_chart
    # Two deals won of two: achieved, and the day is kept (as on My goals).
    assert "Achieved" in page.split(f'id="track-{met.id}"')[1].split("</li>")[0]
    db.session.expire_all()
    assert db.session.get(Goal, met.id).achieved_at is not None


def test_empty_states_say_what_to_do(app, client):
    make_user(email="lena@example.com")
    login(client, "lena@example.com")
    page = page_of(client)
    assert "No sales imported yet" in page and "once your manager or an admin imports" in page
    assert "/manage/sales/import" not in page and "results-chart" not in page

    other = make_user(email="other@example.com")
    add_sale(other, closed=day(LAST))
    db.session.commit()
    page = page_of(client)
    assert "None of the imported deals is yours yet" in page
    assert "lena@example.com" in page

    lena = db.session.scalar(select(User).where(User.email == "lena@example.com"))
    add_sale(lena, closed=(MONTHS[0].start - timedelta(days=3)).isoformat())
    add_sale(lena, stage="open", closed=None)
    db.session.commit()
    page = page_of(client)
    assert "No deals closed in the last twelve months" in page and "results-chart" not in page


def test_an_admin_without_sales_is_sent_to_the_import(client):
    admin = make_user(Role.ADMIN, email="solo@example.com")
    login(client, "solo@example.com")
    page = page_of(client)
    assert 'href="/manage/sales/import"' in page and "Import your sales" in page
    other = make_user(email="x@example.com")
    add_sale(other, closed=day(LAST))
    db.session.commit()
    page = page_of(client)
    assert f'href="/admin/people/{admin.id}"' in page


def test_a_manager_sees_their_own_sales_not_their_teams(client):
    boss = make_user(Role.MANAGER, email="boss@example.com")
    team = make_team("Noord", managers=[boss])
    rep = make_user(email="rep@example.com", team=team, manager=boss)
    add_sale(boss, closed=day(LAST), amount=1234)
    add_sale(rep, closed=day(LAST), amount=55_555)
    db.session.commit()
    login(client, "boss@example.com")
    page = page_of(client)
    assert table(page)[month_label(LAST)]["Revenue won"] == "€1,234"
    assert "55,555" not in page
    assert '<a href="/learn/results/" aria-current="page">My results</a>' in page


def test_the_page_needs_a_login_and_shows_in_the_navigation(client):
    assert client.get(URL).status_code == 302
    make_user(email="lena@example.com")
    login(client, "lena@example.com")
    assert 'href="/learn/results/">My results</a>' in client.get("/learn/").get_data(as_text=True)


OWN_DEALS = (
    "crm_id,owner_email,owner_name,customer_name,product,stage,created_on,closed_on,amount,"
    "currency,satisfaction,satisfaction_scale,complaint_on,complaint_resolved_on\n"
    f"S-1,solo@example.com,Sam Solo,Acme,Office B60,won,{day(LAST, 1)},{day(LAST, 6)},"
    "2000.00,EUR,5,5,,\n"
    f"S-2,,Sam S.,Bolt,Office B60,won,{day(LAST, 2)},{day(LAST, 7)},1500.00,EUR,,,,\n"
    f"S-3,solo@example.com,Sam Solo,Cord,Office B60,lost,{day(LAST, 2)},{day(LAST, 8)},"
    "900.00,EUR,,,,\n"
)


def test_an_organisation_of_one_imports_its_own_deals_and_sees_its_results(app, client):
    """A self-employed seller: the site's only person, an admin, who also sells and trains."""
    sync(REPO)
    make_user(Role.ADMIN, email="solo@example.com", name="Sam Solo", crm_names=("Sam S.",))
    login(client, "solo@example.com")
    assert client.get("/learn/").status_code == 200
    module = "/learn/modules/company-and-product-range"
    assert client.get(module).status_code == 200
    response = client.post(f"{module}/read", data={"csrf_token": page_token(client, module)})
    assert response.status_code == 302
    response = post_form(client, "/learn/goals/new",
                         {"kind": "won_deals", "target": "10", "title": "",
                          "starts_on": LAST.start.isoformat(),
                          "deadline": (TODAY + timedelta(days=30)).isoformat()},
                         token_from="/learn/goals/new?kind=won_deals")
    assert response.status_code == 302, response.get_data(as_text=True)

    form = {"csrf_token": page_token(client, "/manage/sales/import"), "preset": "generic",
            "file": (io.BytesIO(OWN_DEALS.encode()), "my-deals.csv")}
    preview = client.post("/manage/sales/import", data=form,
                          content_type="multipart/form-data").get_data(as_text=True)
    assert "The file is valid: 3 deals" in preview
    done = client.post("/manage/sales/import/confirm", data={"csrf_token": csrf_from(preview)})
    assert "Import #1 finished" in done.get_data(as_text=True)

    page = page_of(client)
    last = table(page)[month_label(LAST)]
    # Matched by email (S-1, S-3) and by the CRM name on the account (S-2).
    assert last["Revenue won"] == "€3,500" and last["Deals won"] == "2"
    assert last["Win rate"] == "66.7 %"
    assert "Win 10 deals" in page and "2 deals so far, of 10 deals." in page
    assert "No sales imported yet" not in page


def test_a_coaching_next_step_is_a_goal_on_the_timeline(app, client, two_reps):
    """A next step agreed in coaching is a goal the person marks done, not a measure: the page
    draws it on the timeline (it once failed on it, looking for the measure it tracks)."""
    anna, _bram = two_reps
    db.session.add(Goal(user_id=anna.id, kind=GoalKind.COACHING_STEP.value,
                        title="Role-play the price objection twice", note="",
                        starts_on=TODAY - timedelta(days=3), deadline=TODAY + timedelta(days=20)))
    db.session.commit()
    login(client, "anna@example.com")
    page = page_of(client)
    goals = page.split("Training completed")[1].split("</section>")[0]
    assert "Role-play the price objection twice" in goals
    assert "On track?" not in page  # nothing measured to be on track with
