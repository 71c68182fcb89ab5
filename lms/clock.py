"""Today in the organisation's time zone (``LMS_TIMEZONE``): it decides what is due today and
what is overdue in the reports, the assignment lists and the reminders."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def local_today() -> date:
    """Today where the organisation is; the server's date when no zone is configured."""
    name = current_app.config.get("TIMEZONE")
    if not name:
        return date.today()
    return datetime.now(ZoneInfo(name)).date()
