"""Find the content files in the three content folders and read them as text.

Problems that only show when looking at a whole folder live here: a folder that is missing, files
that are ignored, and two files that would get the same slug (``Foo.md`` and ``foo.md``, or
``a.yaml`` and ``a.yml``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from babel.lists import format_list
from flask_babel import get_locale
from flask_babel import gettext as _

from lms.content.links import is_image_file
from lms.content.problems import Problem

MODULE_EXTENSIONS = (".md",)
YAML_EXTENSIONS = (".yaml", ".yml")
MEDIA_FOLDER = "media"


@dataclass
class ContentFiles:
    """The files of each kind, sorted by path, and the folder-level problems."""

    modules: list[Path] = field(default_factory=list)
    quizzes: list[Path] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    #: file names in the modules' media folder
    media: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.modules) + len(self.quizzes) + len(self.paths)


def find_content_files(modules_dir: Path, quiz_dir: Path, paths_dir: Path) -> ContentFiles:
    found = ContentFiles()
    found.modules = _scan(modules_dir, MODULE_EXTENSIONS, "module", found.problems,
                          subfolders=(MEDIA_FOLDER,))
    found.quizzes = _scan(quiz_dir, YAML_EXTENSIONS, "quiz", found.problems)
    found.paths = _scan(paths_dir, YAML_EXTENSIONS, "learning path", found.problems)
    media_dir = modules_dir / MEDIA_FOLDER
    if media_dir.is_dir():
        for entry in sorted(media_dir.iterdir()):
            if entry.name.startswith("."):
                continue
            if entry.is_file() and is_image_file(entry.name):
                found.media.append(entry.name)
            else:
                found.problems.append(Problem(
                    str(entry), 0, _("not a PNG, JPEG, GIF, SVG or WebP image; ignored"),
                    "warning"))
    return found


def _scan(folder: Path, extensions: tuple[str, ...], kind: str, problems: list[Problem],
          subfolders: tuple[str, ...] = ()) -> list[Path]:
    if not folder.is_dir():
        problems.append(Problem(str(folder), 0, _folder_not_found(kind)))
        return []
    files: list[Path] = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(".") or (entry.is_dir() and entry.name in subfolders):
            continue
        if entry.is_file() and entry.suffix.lower() in extensions:
            files.append(entry)
        else:
            problems.append(Problem(str(entry), 0, _not_a_file(kind, extensions), "warning"))
    problems.extend(_same_slug(files))
    return files


def _folder_not_found(kind: str) -> str:
    return {"module": _("module folder not found"), "quiz": _("quiz folder not found"),
            "learning path": _("learning path folder not found")}[kind]


def _not_a_file(kind: str, extensions: tuple[str, ...]) -> str:
    # ".yaml or .yml" / ".yaml of .yml": the language's own way of listing alternatives.
    wanted = format_list(list(extensions), style="or", locale=str(get_locale() or "en"))
    return {"module": _("not a module file (%(extensions)s); ignored", extensions=wanted),
            "quiz": _("not a quiz file (%(extensions)s); ignored", extensions=wanted),
            "learning path": _("not a learning path file (%(extensions)s); ignored",
                               extensions=wanted)}[kind]


def _same_slug(files: list[Path]) -> list[Problem]:
    groups: dict[str, list[Path]] = defaultdict(list)
    for path in files:
        groups[path.stem.lower()].append(path)
    problems = []
    for group in groups.values():
        if len(group) < 2:
            continue
        for path in group:
            others = ", ".join(other.name for other in group if other != path)
            problems.append(Problem(str(path), 1, _("%(file)s and %(others)s give the same "
                                                    "slug; keep one of them", file=path.name,
                                                    others=others)))
    return problems


def read_text(path: Path) -> tuple[str | None, Problem | None]:
    """The file's text, or a problem when it is not UTF-8 (at the line of the first bad byte)."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, Problem(str(path), line, _("the file is not valid UTF-8 text"))
