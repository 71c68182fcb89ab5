"""``lms content check [DIR]``: validate every content file and print each problem.

The work is in ``run_check`` (plain Python, testable without Flask); the command only picks the
folders, from DIR or from the running app's configuration, and sets the exit status.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from lms.content.files import find_content_files
from lms.content.problems import Problem
from lms.content.rubrics import check_rubrics
from lms.content.validation import DEFAULT_CATEGORIES, check_tree
from lms.maintenance.commands import needs_no_schema


@dataclass(frozen=True)
class CheckReport:
    problems: list[Problem]
    files: int

    @property
    def errors(self) -> int:
        return sum(p.is_error for p in self.problems)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors

    def summary(self) -> str:
        return _("%(files)s checked: %(errors)s, %(warnings)s",
                 files=ngettext("%(num)d file", "%(num)d files", self.files),
                 errors=ngettext("%(num)d error", "%(num)d errors", self.errors),
                 warnings=ngettext("%(num)d warning", "%(num)d warnings", self.warnings))


@dataclass(frozen=True)
class ContentDirs:
    modules: Path
    quizzes: Path
    paths: Path
    #: Coaching rubrics (lms/content/rubrics.py); optional: None or a missing folder is none.
    rubrics: Path | None = None

    @classmethod
    def under(cls, root: Path) -> ContentDirs:
        """The layout of a project checkout: content/modules, content/paths, content/rubrics
        and quizzes."""
        return cls(root / "content" / "modules", root / "quizzes", root / "content" / "paths",
                   root / "content" / "rubrics")


def run_check(dirs: ContentDirs, categories: Iterable[str] = DEFAULT_CATEGORIES,
              relative_to: Path | None = None) -> CheckReport:
    """Check the content folders; problem paths are made relative to ``relative_to``."""
    problems = check_tree(dirs.modules, dirs.quizzes, dirs.paths, tuple(categories))
    files = find_content_files(dirs.modules, dirs.quizzes, dirs.paths).count
    if dirs.rubrics is not None:
        rubric_problems, rubric_files = check_rubrics(dirs.rubrics)
        problems = sorted(problems + rubric_problems,
                          key=lambda p: (p.path, p.line, p.severity, p.message))
        files += rubric_files
    if relative_to is not None:
        problems = [Problem(_relative(p.path, relative_to), p.line, p.message, p.severity)
                    for p in problems]
    return CheckReport(problems, files)


def _relative(path: str, base: Path) -> str:
    relative = os.path.relpath(path, base)
    return path if relative.startswith("..") else relative


@with_appcontext
def _configured() -> tuple[ContentDirs, tuple[str, ...]]:
    config = current_app.config
    content = Path(config["CONTENT_DIR"])
    dirs = ContentDirs(content / "modules", Path(config["QUIZ_DIR"]), content / "paths",
                       content / "rubrics")
    return dirs, tuple(config.get("CONTENT_CATEGORIES", DEFAULT_CATEGORIES))


@click.group("content")
def content_cli() -> None:
    """Work with the trainers' content files."""


@needs_no_schema
@content_cli.command("check")
@click.argument("directory", required=False,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
def check_command(directory: Path | None) -> None:
    """Validate modules, quizzes, learning paths and coaching rubrics.

    DIR is a project folder holding content/modules, content/paths, content/rubrics and
    quizzes; without it the app's configured folders are checked.
    """
    if directory is None:
        dirs, categories = _configured()
        base = Path.cwd()
    else:
        dirs, base = ContentDirs.under(directory), directory
        # Inside a running app (the `lms` command) its configured categories apply to DIR too.
        categories = (tuple(current_app.config.get("CONTENT_CATEGORIES", DEFAULT_CATEGORIES))
                      if current_app else DEFAULT_CATEGORIES)
    report = run_check(dirs, categories, relative_to=base)
    for problem in report.problems:
        click.echo(str(problem))
    click.echo(report.summary())
    if report.errors:
        click.get_current_context().exit(1)
