"""A problem found in a content file, located by path and line so an author can jump to it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from flask_babel import gettext as _

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One error or warning. ``line`` is 1-based; 0 means the file or folder as a whole."""

    path: str
    line: int
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        text = self.message if self.severity == "error" else _("warning: %(message)s",
                                                               message=self.message)
        if self.line <= 0:
            return f"{self.path}: {text}"
        return f"{self.path}:{self.line}: {text}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def errors(problems: list[Problem]) -> list[Problem]:
    """The problems that block publishing (warnings do not)."""
    return [p for p in problems if p.is_error]
