"""The trainer's start page: which content files the site reads, and from where."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, render_template

from lms.models import Role
from lms.security import role_required

bp = Blueprint("author", __name__)


def _files(folder: Path, pattern: str) -> list[str]:
    return sorted(p.name for p in folder.glob(pattern)) if folder.is_dir() else []


@bp.route("/")
@role_required(Role.TRAINER)
def index():  # noqa: ANN201
    content_dir = Path(current_app.config["CONTENT_DIR"])
    quiz_dir = Path(current_app.config["QUIZ_DIR"])
    folders = [
        ("Modules", content_dir / "modules", _files(content_dir / "modules", "*.md")),
        ("Quizzes", quiz_dir, _files(quiz_dir, "*.yaml")),
        ("Learning paths", content_dir / "paths", _files(content_dir / "paths", "*.yaml")),
    ]
    return render_template("author/index.html", folders=folders)
