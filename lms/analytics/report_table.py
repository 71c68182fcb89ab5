"""The readiness table as people use it: sorting, filtering, and the same rows as CSV and JSON.

Pure functions over the rows the database produced; the pages, the CLI and the API share them,
so the three always show the same figures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _

from lms.analytics.csvsafe import csv_text
from lms.analytics.readiness import Status, Summary
from lms.analytics.readiness_charts import HeatMap
from lms.analytics.readiness_sql import PersonRow, ReadinessReport
from lms.i18n import _l

#: column key -> (heading, sort value). The sort value is None for "no value", which sorts last
#: in either direction. The headings are lazy: each page shows them in its reader's language.
COLUMNS: dict[str, tuple[Any, Callable[[PersonRow], Any]]] = {
    "name": (_l("Name"), lambda r: r.name.casefold()),
    "team": (_l("Team"), lambda r: r.team.casefold() if r.team else None),
    "assigned": (_l("Assigned"), lambda r: r.figures.assigned),
    "completed": (_l("Completed"), lambda r: r.figures.completed),
    "score": (_l("Average best score"), lambda r: r.assessment.score),
    "retained": (_l("Retained"), lambda r: r.retained.recall if r.retained else None),
    "index": (_l("Readiness"), lambda r: r.assessment.index),
    "status": (_l("Status"), lambda r: r.assessment.status.severity),
    "overdue": (_l("Overdue items"), lambda r: r.figures.overdue),
    "activity": (_l("Last activity"), lambda r: r.last_activity),
}
DEFAULT_SORT = "status"


def sort_rows(rows: Sequence[PersonRow], key: str, descending: bool = False) -> list[PersonRow]:
    """Sorted by a column (unknown keys sort by status), ties by name; empty values last."""
    if key not in COLUMNS:
        key = DEFAULT_SORT
    value = COLUMNS[key][1]
    by_name = sorted(rows, key=lambda r: (r.name.casefold(), r.user_id))
    present = [r for r in by_name if value(r) is not None]
    missing = [r for r in by_name if value(r) is None]
    return sorted(present, key=value, reverse=descending) + missing


def filter_rows(rows: Sequence[PersonRow], status: str | None) -> list[PersonRow]:
    if not status or status not in {s.value for s in Status}:
        return list(rows)
    return [r for r in rows if r.assessment.status.value == status]


#: The readiness CSV's columns: the JSON API's keys, which scripts and the command line read
#: (machine names, the same in every language; ``status_label`` is the readable one).
RECORD_FIELDS = (
    "user_id", "name", "email", "team", "assigned_modules", "completed_modules",
    "completion_percent", "quizzes_assigned", "quizzes_taken", "average_best_score",
    "retained_percent", "booster_correct_percent", "modules_at_risk", "overdue_items",
    "last_activity", "readiness_index", "status", "status_label",
)


#: The readiness CSV's column headings, in the reader's language (the API keeps the keys).
RECORD_LABELS = {
    "user_id": _l("Person id"), "name": _l("Name"), "email": _l("Email"), "team": _l("Team"),
    "assigned_modules": _l("Assigned modules"), "completed_modules": _l("Completed modules"),
    "completion_percent": _l("Completion (%)"), "quizzes_assigned": _l("Quizzes assigned"),
    "quizzes_taken": _l("Quizzes taken"), "average_best_score": _l("Average best score (%)"),
    "retained_percent": _l("Retained: predicted recall (%)"),
    "booster_correct_percent": _l("Boosters answered correctly, 60 days (%)"),
    "modules_at_risk": _l("Modules at risk of being forgotten"),
    "overdue_items": _l("Overdue items"), "last_activity": _l("Last activity"),
    "readiness_index": _l("Readiness index"), "status": _l("Status code"),
    "status_label": _l("Status"),
}


def report_csv(rows: Sequence[PersonRow]) -> str:
    """A spreadsheet for people: headings in the reader's language, values as data."""
    return csv_text([str(RECORD_LABELS[f]) for f in RECORD_FIELDS],
                    ([r.record()[f] for f in RECORD_FIELDS] for r in rows))


def heatmap_csv(rows: Sequence[PersonRow], heat: HeatMap) -> str:
    """One row per person, one column per module: the best score in percent, or why there is
    none ('not taken', 'not assigned', 'completed, no quiz'), in the reader's language: a
    spreadsheet for people, headed by the modules' titles."""
    header = [_("Name"), _("Team"), *[m.title for m in heat.modules]]
    not_assigned, not_taken, no_quiz = _("not assigned"), _("not taken"), _("completed, no quiz")
    out = []
    for row in rows:
        line: list[Any] = [row.name, row.team]
        for module in heat.modules:
            cell = heat.cells.get((row.user_id, module.id))
            if cell is None:
                line.append(not_assigned)
            elif cell.best is None:
                line.append(no_quiz if cell.done and module.quiz_id is None else not_taken)
            else:
                line.append(cell.best)
        out.append(line)
    return csv_text(header, out)


def summary_record(summary: Summary) -> dict[str, Any]:
    return {
        "people": summary.people,
        "by_status": {status.value: count for status, count in summary.by_status.items()},
        "ready_percent": None if summary.ready_percent is None
        else round(summary.ready_percent, 1),
        "average_readiness_index": summary.average_index,
        "average_completion_percent": summary.average_completion,
        "average_best_score": summary.average_score,
        "overdue_items": summary.overdue_items,
        "people_with_overdue_items": summary.people_overdue,
    }


def report_payload(report: ReadinessReport, *, team: str | None) -> dict[str, Any]:
    """The API's JSON: the rules used, the summary and one record per person."""
    return {
        "team": team,
        "today": report.today.isoformat(),
        "computed_at": report.computed_at.isoformat(),
        "rules": report.rules.as_dict(),
        "summary": summary_record(report.summary),
        "people": [r.record() for r in report.rows],
    }


def stamp(value: date | datetime) -> str:
    return value.strftime("%Y-%m-%d")
