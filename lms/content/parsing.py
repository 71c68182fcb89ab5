"""Parse trainers' files (module Markdown, quiz YAML, learning-path YAML) into documents.

Parsers never raise on bad content: they return a ``Parsed`` holding the document (or None when
the file is unusable, e.g. bad YAML) and every problem found, each at the line of the file where it
is. They check each file on its own: types, ranges, required and unknown fields. Rules that need
other files (does that quiz exist?) live in ``validation.py``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Generic, TypeVar

import yaml
from flask_babel import gettext as _

from lms.content.documents import ModuleDoc, PathDoc, PathEntry, QuizDoc
from lms.content.problems import Problem
from lms.content.quizparsing import language_field, parse_quiz_node
from lms.content.yamlread import Reader
from lms.safeyaml import quote

__all__ = [
    "Parsed", "content_hash", "normalise", "parse_module", "parse_path", "parse_quiz",
    "slug_of", "split_front_matter",
]

D = TypeVar("D")

MODULE_FIELDS = (
    "title", "category", "summary", "estimated_minutes", "objectives", "tags", "prerequisites",
    "quiz", "language",
)
PATH_FIELDS = ("title", "description", "certificate_validity_days", "modules", "language")
PATH_ENTRY_FIELDS = ("module", "required")

_FENCE = re.compile(r"^---[ \t]*$")
_FENCE_END = re.compile(r"^(---|\.\.\.)[ \t]*$")


@dataclass(frozen=True)
class Parsed(Generic[D]):
    """A parse result: the document when the file could be read, and the problems found."""

    doc: D | None
    problems: tuple[Problem, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when there is a document and no errors (warnings are fine)."""
        return self.doc is not None and not any(p.is_error for p in self.problems)


def normalise(text: str) -> str:
    """The canonical form of a file's text: no byte-order mark, LF line ends."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def content_hash(text: str) -> str:
    """SHA-256 (hex) of the UTF-8 text with CRLF turned into LF: a version's identity."""
    return hashlib.sha256(text.replace("\r\n", "\n").encode("utf-8")).hexdigest()


def slug_of(path: str) -> str:
    """The slug a file name gives: its name without the extension."""
    return PurePath(path).stem


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Split a module into (front matter YAML, body, body line); None when there is none.

    The front matter starts on line 1 with ``---`` and ends at the next ``---`` (or ``...``) line,
    so its YAML line n is file line n + 1.
    """
    lines = normalise(text).split("\n")
    if not lines or not _FENCE.match(lines[0]):
        return None
    for index in range(1, len(lines)):
        if _FENCE_END.match(lines[index]):
            front = "\n".join(lines[1:index]) + "\n"
            body = "\n".join(lines[index + 1:])
            return front, body, index + 2
    return None


def parse_module(text: str, path: str) -> Parsed[ModuleDoc]:
    """Parse a module file: YAML front matter between ``---`` lines, then the Markdown body."""
    split = split_front_matter(text)
    if split is None:
        starts = normalise(text).split("\n", 1)[0].strip() == "---"
        message = (_("front matter is not closed: add a line with --- after the last field")
                   if starts else _("missing front matter: the file must start with a --- line"))
        return Parsed(None, (Problem(path, 1, message),))
    front, body, body_line = split
    reader = Reader(path, offset=1)
    root = reader.compose(front)
    if root is None and not reader.problems:
        reader.report(1, _("front matter is empty"))
        for name in ("title", "category", "summary", "estimated_minutes"):
            reader.report(1, _("%(what)s: missing required field %(field)s",
                               what=_("front matter"), field=quote(name)))
        return Parsed(None, tuple(reader.problems))
    fields = reader.mapping(root, _("front matter"), line=1) if root is not None else None
    if fields is None:
        return Parsed(None, tuple(reader.problems))

    fields.check_known(MODULE_FIELDS, _("front matter"))
    title = fields.text("title", required=True)
    category = fields.text("category", required=True)
    summary = fields.text("summary", required=True)
    minutes = fields.number("estimated_minutes", whole=True, minimum=1, maximum=600,
                            required=True)
    objectives, objective_lines = fields.text_list("objectives")
    tags, tag_lines = fields.text_list("tags")
    prerequisites, prerequisite_lines = fields.text_list("prerequisites")
    quiz = fields.text("quiz")
    language = language_field(fields, reader)
    if not body.strip():
        reader.report(body_line - 1, _("the module has no text after the front matter"),
                      "warning")

    doc = ModuleDoc(
        path=path, line=1, lines=dict(fields.lines), slug=slug_of(path),
        title=title or "", category=category or "", summary=summary or "",
        estimated_minutes=int(minutes or 0), objectives=objectives, tags=tags,
        prerequisites=prerequisites, quiz=quiz, language=language, body=body,
        body_line=body_line,
        item_lines={"objectives": objective_lines, "tags": tag_lines,
                    "prerequisites": prerequisite_lines},
    )
    return Parsed(doc, tuple(reader.problems))


def parse_quiz(text: str, path: str) -> Parsed[QuizDoc]:
    """Parse a quiz YAML file (settings and questions of every type)."""
    reader = Reader(path)
    root = reader.compose(normalise(text))
    if root is None:
        if not reader.problems:
            reader.report(1, _("the quiz file is empty"))
        return Parsed(None, tuple(reader.problems))
    doc = parse_quiz_node(reader, root, slug_of(path))
    return Parsed(doc, tuple(reader.problems))


def parse_path(text: str, path: str) -> Parsed[PathDoc]:
    """Parse a learning-path YAML file."""
    reader = Reader(path)
    root = reader.compose(normalise(text))
    if root is None:
        if not reader.problems:
            reader.report(1, _("the learning path file is empty"))
        return Parsed(None, tuple(reader.problems))
    fields = reader.mapping(root, _("learning path"))
    if fields is None:
        return Parsed(None, tuple(reader.problems))
    fields.check_known(PATH_FIELDS, _("learning path"))
    title = fields.text("title", required=True)
    description = fields.text("description")
    validity = fields.number("certificate_validity_days", whole=True, minimum=1)
    language = language_field(fields, reader)
    entries: list[PathEntry] = []
    modules_node = fields.node("modules", required=True)
    if modules_node is not None:
        items = reader.sequence(modules_node, "'modules'")
        if not items and isinstance(modules_node, yaml.SequenceNode):
            reader.report(fields.lines["modules"], _("the learning path lists no modules"))
        for item in items:
            entry = _path_entry(reader, item, path)
            if entry is not None:
                entries.append(entry)
    doc = PathDoc(
        path=path, line=fields.line, lines=dict(fields.lines), slug=slug_of(path),
        title=title or "", description=description,
        certificate_validity_days=None if validity is None else int(validity),
        modules=tuple(entries), language=language,
    )
    return Parsed(doc, tuple(reader.problems))


def _path_entry(reader: Reader, node: yaml.Node, path: str) -> PathEntry | None:
    if isinstance(node, yaml.ScalarNode):
        slug = reader.text(node, _("a module in 'modules'"))
        return None if slug is None else PathEntry(path=path, line=reader.line(node), module=slug)
    fields = reader.mapping(node, _("a module in 'modules'"))
    if fields is None:
        return None
    fields.check_known(PATH_ENTRY_FIELDS, _("a learning path entry"))
    slug = fields.text("module", required=True)
    required = fields.boolean("required", True)
    if slug is None:
        return None
    return PathEntry(path=path, line=fields.line, lines=dict(fields.lines), module=slug,
                     required=required)
