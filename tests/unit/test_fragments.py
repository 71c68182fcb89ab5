"""Rendered fragments live as long as the cached report they show, and no longer."""

from __future__ import annotations

import gc

from lms.fragments import rendered


class Report:
    """Stands for a cached report object."""


def test_rendered_once_per_report_and_key():
    report, calls = Report(), []

    def render() -> str:
        calls.append(1)
        return "<tr><td>Anna</td></tr>"

    assert rendered(report, ("rows", 1), render) == "<tr><td>Anna</td></tr>"
    assert rendered(report, ("rows", 1), render) == "<tr><td>Anna</td></tr>"
    assert len(calls) == 1
    rendered(report, ("rows", 2), render)  # another page or sort
    assert len(calls) == 2
    # New data means a new report object: its rows are rendered afresh.
    assert rendered(Report(), ("rows", 1), lambda: "<tr><td>Bram</td></tr>") == \
        "<tr><td>Bram</td></tr>"


def test_a_changed_companion_renders_again():
    report, first, second = Report(), Report(), Report()
    assert rendered(report, "body", lambda: "old", also=(first, None)) == "old"
    assert rendered(report, "body", lambda: "new", also=(first, None)) == "old"
    assert rendered(report, "body", lambda: "new", also=(second, None)) == "new"
    assert rendered(report, "body", lambda: "none", also=(None, None)) == "none"


def test_a_dead_report_takes_its_fragments_with_it():
    from lms import fragments

    report = Report()
    rendered(report, "rows", lambda: "x" * 1000)
    ident = id(report)
    assert ident in fragments._by_owner
    del report
    gc.collect()
    assert ident not in fragments._by_owner


def test_the_html_is_markup_and_not_escaped_again():
    html = rendered(Report(), "k", lambda: "<b>bold</b>")
    assert str(html) == "<b>bold</b>" and hasattr(html, "__html__")
