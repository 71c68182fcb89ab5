"""Progress of long command-line work, as click progress bars on standard error when a person
is watching (a terminal), and nothing at all in scripts and cron (no bars, no labels).

Services take a ``Progress`` callback, ``(phase, done, total)``, and never print; a command
passes ``PhaseBars()`` and closes it at the end. ``quiet`` is the default everywhere.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TextIO

import click

#: (phase, done so far, total) — called as work advances; phases come one after another
Progress = Callable[[str, int, int], None]


def quiet(phase: str, done: int, total: int) -> None:
    """No progress shown."""


class PhaseBars:
    """One click progress bar per phase, opened when the phase starts; nothing when ``file``
    is not a terminal."""

    def __init__(self, labels: dict[str, str] | None = None, file: TextIO | None = None,
                 show: bool | None = None) -> None:
        self.file = file or sys.stderr
        self.show = self.file.isatty() if show is None else show
        self.labels = labels or {}
        self.bars: dict[str, Any] = {}
        self.done: dict[str, int] = {}

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.show:
            return
        if phase not in self.bars:
            for bar in self.bars.values():
                bar.render_finish()
            label = self.labels.get(phase, phase)
            self.bars[phase] = click.progressbar(length=max(total, 1), label=label,
                                                 file=self.file)
            self.bars[phase].__enter__()
            self.done[phase] = 0
        self.bars[phase].update(done - self.done[phase])
        self.done[phase] = done

    def close(self) -> None:
        for bar in self.bars.values():
            bar.__exit__(None, None, None)
        self.bars.clear()

    def __enter__(self) -> PhaseBars:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
