"""The pure rules of the follow-ups page: which follow-ups are listed, and which value a deal
keeps when the CRM and Verkoopklaar both have one."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lms.sales.actions import LocalActions, effective
from lms.sales.store import COLUMNS
from lms.sales.worklist import (
    Rules,
    complaint_long_open,
    follow_up_ends,
    follow_up_state,
    listed_closing_days,
)

TODAY = date(2026, 6, 15)
RULES = Rules(today=TODAY, follow_up_days=14, keep_days=30, complaint_open_days=7)


def closed(days_ago: int) -> date:
    return TODAY - timedelta(days=days_ago)


@pytest.mark.parametrize(("days_ago", "state"), [
    (0, None),          # closed today: 14 days left
    (10, None),         # 4 days left: not yet
    (11, "due"),        # 3 days left: running out
    (14, "due"),        # the window's last day is today
    (15, "overdue"),    # ended yesterday
    (44, "overdue"),    # ended 30 days ago: still listed
    (45, None),         # ended 31 days ago: no longer a follow-up to make
])
def test_follow_up_state(days_ago, state):
    assert follow_up_state(closed(days_ago), RULES) == state


def test_the_window_ends_on_the_last_day_the_measure_counts():
    assert follow_up_ends(date(2026, 1, 1), 14) == date(2026, 1, 15)


def test_the_sql_range_is_the_same_rule():
    first, last = listed_closing_days(RULES)
    for days_ago in range(-5, 80):
        listed = follow_up_state(closed(days_ago), RULES) is not None
        assert listed == (first <= closed(days_ago) <= last), days_ago


def test_a_short_window_never_lists_a_deal_closing_in_the_future():
    rules = Rules(today=TODAY, follow_up_days=2, keep_days=30, complaint_open_days=7)
    assert follow_up_state(TODAY + timedelta(days=1), rules) is None
    assert listed_closing_days(rules)[1] == TODAY


def test_complaint_long_open():
    assert not complaint_long_open(closed(7), RULES)
    assert complaint_long_open(closed(8), RULES)


D1, D2, D3 = date(2026, 3, 1), date(2026, 3, 5), date(2026, 3, 9)


@pytest.mark.parametrize(("crm", "local", "kept"), [
    (None, None, None),
    (D2, None, D2),     # nothing local: the CRM's
    (None, D2, D2),     # the CRM has none: the local one stays
    (D1, D2, D2),       # the CRM's is older: the local one stays
    (D2, D2, D2),
    (D3, D2, D3),       # the CRM's is newer: it wins
])
def test_which_value_a_deal_keeps(crm, local, kept):
    assert effective(crm, local) == kept


def row(crm_id: str, follow_up: str | None, resolved: str | None, *, stage: str = "won",
        closed: str = "2026-03-01", complaint: str | None = "2026-03-01") -> tuple:
    values = dict.fromkeys(COLUMNS)
    values.update(crm_id=crm_id, follow_up_on=follow_up, complaint_resolved_on=resolved,
                  stage=stage, closed_on=closed, complaint_on=complaint)
    return tuple(values[c] for c in COLUMNS)


def applied(local: LocalActions, *values: str | None) -> dict:
    return dict(zip(COLUMNS, local.apply(row(*values)), strict=True))


def test_local_actions_apply_to_import_rows():
    local = LocalActions({"A": (D2, None), "B": (None, D2)})
    untouched = row("C", None, None)
    assert local.apply(untouched) is untouched
    a = applied(local, "A", None, "2026-03-09")
    assert (a["follow_up_on"], a["complaint_resolved_on"]) == ("2026-03-05", "2026-03-09")
    assert applied(local, "A", "2026-03-09", None)["follow_up_on"] == "2026-03-09"
    assert applied(local, "B", None, "2026-03-01")["complaint_resolved_on"] == "2026-03-05"


def test_a_local_action_applies_only_to_what_it_answered():
    """A follow-up answers a won deal closed on or before it; a resolution a complaint made on
    or before it. A newer complaint from the CRM stays open; a lost deal needs no follow-up."""
    local = LocalActions({"A": (D2, D2)})
    fields = dict(zip(COLUMNS, local.apply(row("A", None, None, complaint="2026-03-20")),
                      strict=True))
    assert fields["complaint_resolved_on"] is None and fields["follow_up_on"] == D2.isoformat()
    lost = dict(zip(COLUMNS, local.apply(row("A", None, None, stage="lost")), strict=True))
    assert lost["follow_up_on"] is None and lost["complaint_resolved_on"] == D2.isoformat()
    later = dict(zip(COLUMNS, local.apply(row("A", None, None, closed="2026-03-20")),
                     strict=True))
    assert later["follow_up_on"] is None
