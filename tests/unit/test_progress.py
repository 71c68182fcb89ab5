"""Progress bars for long command-line work: drawn for a person at a terminal, absent (no bar,
no label) in scripts and cron."""

from __future__ import annotations

import io

from lms.progress import PhaseBars, quiet


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_a_bar_per_phase_in_turn():
    screen = Terminal()
    with PhaseBars({"training": "Training history", "deals": "Deals"}, file=screen) as bars:
        for done in range(1, 51):
            bars("training", done, 50)
        for done in range(1, 11):
            bars("deals", done, 10)
    shown = screen.getvalue()
    assert "Training history" in shown and "Deals" in shown
    assert shown.index("Training history") < shown.index("Deals")
    assert "100%" in shown


def test_a_script_sees_nothing():
    pipe = io.StringIO()  # not a terminal
    with PhaseBars({"training": "Training history"}, file=pipe) as bars:
        for done in range(1, 51):
            bars("training", done, 50)
    assert pipe.getvalue() == ""


def test_services_default_to_quiet():
    assert quiet("anything", 1, 2) is None
