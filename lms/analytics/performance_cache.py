"""The sales performance table from the reports' cache while neither the sales nor the people
have changed: a manager sorting the table or downloading it as CSV reads the aggregate once."""

from __future__ import annotations

from datetime import date

from lms.analytics.impact import impact_cache, sales_version
from lms.analytics.measures import PersonMeasures, sales_performance
from lms.analytics.report_cache import data_version
from lms.security import Scope


class Performance:
    """The rows of one cached table: the same object on every view until the data changes, so
    the page can keep its rendered rows beside it (lms/fragments.py)."""

    def __init__(self, rows: list[PersonMeasures]) -> None:
        self.rows = rows


def cached_sales_performance(scope: Scope, start: date, end: date, *, follow_up_days: int,
                             as_of: date) -> Performance:
    """``sales_performance``, keyed on the people (the learning data version: names, teams,
    who left) and the sales (imports, their undoing, deals linked to people)."""
    key = ("performance", scope.key, start, end, follow_up_days, as_of, data_version(),
           sales_version())
    return impact_cache().get_or_make(key, lambda: Performance(sales_performance(
        scope, start, end, follow_up_days=follow_up_days, as_of=as_of)))
