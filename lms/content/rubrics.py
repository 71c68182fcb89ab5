"""Coaching rubrics: the organisation's rating scale and the skills a manager observes, kept as
``content/rubrics/<slug>.yaml`` (docs/authoring.md, "Coaching rubrics").

Parsing and checking are pure (``parse_rubric``, ``check_rubrics``): every problem is a
``Problem`` at the line of the offending node. A translation ``<slug>.nl.yaml`` beside the
original carries the same levels and skill ids in other words; it is checked against the
original and stored inside the original's version (one version covers the texts of every
language, so an observation that points at a version keeps what each rating meant).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from flask_babel import gettext as _

from lms.content.files import YAML_EXTENSIONS, read_text
from lms.content.links import is_valid_slug
from lms.content.parsing import Parsed, normalise, slug_of
from lms.content.problems import Problem
from lms.content.quizparsing import language_field
from lms.content.translations import split_files
from lms.content.yamlread import Reader
from lms.safeyaml import quote

RUBRIC_FIELDS = ("title", "description", "language", "scale", "skills")
LEVEL_FIELDS = ("level", "label", "description")
SKILL_FIELDS = ("id", "name", "description")
#: A scale needs at least two levels to say anything, and more than ten is not a rating.
MIN_LEVELS, MAX_LEVELS = 2, 10
MAX_SKILLS = 40
_SKILL_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class Level:
    value: int
    label: str
    description: str = ""
    line: int = 0


@dataclass(frozen=True)
class Skill:
    id: str
    name: str
    description: str = ""
    line: int = 0


@dataclass(frozen=True)
class RubricDoc:
    slug: str
    title: str
    language: str
    levels: tuple[Level, ...]
    skills: tuple[Skill, ...]
    description: str = ""
    lines: dict[str, int] = field(default_factory=dict)

    @property
    def low(self) -> int:
        return self.levels[0].value

    @property
    def high(self) -> int:
        return self.levels[-1].value

    def as_data(self) -> dict[str, Any]:
        """The JSON kept in a stored version (``RubricVersion.data``)."""
        return {
            "title": self.title, "description": self.description, "language": self.language,
            "scale": [{"level": lv.value, "label": lv.label, "description": lv.description}
                      for lv in self.levels],
            "skills": [{"id": s.id, "name": s.name, "description": s.description}
                       for s in self.skills],
        }


def parse_rubric(text: str, path: str) -> Parsed[RubricDoc]:
    """Parse one rubric file; the document is None when it cannot be used at all."""
    reader = Reader(path)
    root = reader.compose(normalise(text))
    if root is None:
        if not reader.problems:
            reader.report(1, _("the rubric file is empty"))
        return Parsed(None, tuple(reader.problems))
    fields = reader.mapping(root, _("rubric"))
    if fields is None:
        return Parsed(None, tuple(reader.problems))
    fields.check_known(RUBRIC_FIELDS, _("the rubric"))
    title = fields.text("title", required=True)
    description = fields.text("description") or ""
    language = language_field(fields, reader)
    levels = _levels(reader, fields.node("scale", required=True), fields.lines.get("scale"))
    skills = _skills(reader, fields.node("skills", required=True), fields.lines.get("skills"))
    usable = title is not None and levels is not None and skills
    doc = RubricDoc(slug_of(path), title or "", language, tuple(levels or ()), tuple(skills),
                    description, dict(fields.lines)) if usable else None
    return Parsed(doc, tuple(reader.problems))


def _levels(reader: Reader, node: yaml.Node | None, line: int | None) -> list[Level] | None:
    """The scale: a list of levels, whole numbers going up by one, each with a label."""
    if node is None:
        return None
    items = reader.sequence(node, "'scale'")
    if not isinstance(node, yaml.SequenceNode):
        return None
    levels: list[Level] = []
    ok = True
    for item in items:
        fields = reader.mapping(item, _("a level in 'scale'"))
        if fields is None:
            ok = False
            continue
        fields.check_known(LEVEL_FIELDS, _("a level of the scale"))
        value = fields.number("level", whole=True, minimum=0, maximum=100, required=True)
        label = fields.text("label", required=True)
        text = fields.text("description") or ""
        if value is None or label is None:
            ok = False
            continue
        if levels and value != levels[-1].value + 1:
            reader.report(fields.line, _("scale levels must go up by one: level %(level)d "
                                         "follows level %(previous)d", level=int(value),
                                         previous=levels[-1].value))
            ok = False
        levels.append(Level(int(value), label, text, fields.line))
    if ok and not MIN_LEVELS <= len(levels) <= MAX_LEVELS:
        reader.report(line or reader.line(node),
                      _("the scale must have from %(low)d to %(high)d levels, not %(num)d",
                        low=MIN_LEVELS, high=MAX_LEVELS, num=len(levels)))
        ok = False
    return levels if ok else None


def _skills(reader: Reader, node: yaml.Node | None, line: int | None) -> list[Skill]:
    if node is None:
        return []
    items = reader.sequence(node, "'skills'")
    if not items:
        if isinstance(node, yaml.SequenceNode):
            reader.report(line or reader.line(node), _("the rubric lists no skills"))
        return []
    skills: list[Skill] = []
    first_line: dict[str, int] = {}
    ok = True
    for item in items:
        fields = reader.mapping(item, _("a skill in 'skills'"))
        if fields is None:
            ok = False
            continue
        fields.check_known(SKILL_FIELDS, _("a skill"))
        skill_id = fields.text("id", required=True)
        name = fields.text("name", required=True)
        text = fields.text("description") or ""
        if skill_id is None or name is None:
            ok = False
            continue
        where = fields.lines["id"]
        if not _SKILL_ID.match(skill_id):
            reader.report(where, _("skill id %(id)s: use lower-case letters, digits, hyphens "
                                   "and underscores (at most 64)", id=quote(skill_id)))
            ok = False
        elif skill_id in first_line:
            reader.report(where, _("skill id %(id)s appears twice (first on line %(line)d)",
                                   id=quote(skill_id), line=first_line[skill_id]))
            ok = False
        else:
            first_line[skill_id] = where
        skills.append(Skill(skill_id, name[:200], text, fields.line))
    if len(skills) > MAX_SKILLS:
        reader.report(line or reader.line(node), _("a rubric has at most %(num)d skills",
                                                   num=MAX_SKILLS))
        ok = False
    return skills if ok else []


def translation_differences(doc: RubricDoc, original: RubricDoc, path: str) -> list[Problem]:
    """What makes ``doc`` not a translation of ``original``: the levels and the skill ids (in
    order) must be the original's; only the words differ."""
    problems = []
    if [lv.value for lv in doc.levels] != [lv.value for lv in original.levels]:
        problems.append(Problem(path, doc.lines.get("scale", 1),
                                _("the scale must have the original's levels (%(levels)s)",
                                  levels=", ".join(str(lv.value) for lv in original.levels))))
    if [s.id for s in doc.skills] != [s.id for s in original.skills]:
        problems.append(Problem(path, doc.lines.get("skills", 1),
                                _("the skills must have the original's ids in the same order "
                                  "(%(ids)s)", ids=", ".join(s.id for s in original.skills))))
    return problems


# --- a folder of rubrics ----------------------------------------------------------------------

@dataclass(frozen=True)
class RubricFile:
    """An original that can be stored, with its readable translations by language."""

    slug: str
    path: Path
    text: str
    doc: RubricDoc
    translations: dict[str, tuple[str, RubricDoc]]


@dataclass(frozen=True)
class RubricFolder:
    files: list[RubricFile]
    problems: list[Problem]
    #: how many rubric files there are, translations included
    count: int
    #: slugs of originals that have errors (kept at their last good version by a sync)
    broken: frozenset[str] = frozenset()


def read_rubrics(folder: Path) -> RubricFolder:
    """Every rubric in ``folder`` and every problem with them. A missing folder is fine: an
    organisation without coaching has no rubrics."""
    if not folder.is_dir():
        return RubricFolder([], [], 0)
    problems: list[Problem] = []
    files: list[Path] = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_file() and entry.suffix.lower() in YAML_EXTENSIONS:
            files.append(entry)
        else:
            problems.append(Problem(str(entry), 0, _("not a rubric file (.yaml); ignored"),
                                    "warning"))
    originals, translations = split_files(files)
    good: dict[str, tuple[Path, str, RubricDoc]] = {}
    broken: set[str] = set()
    for file in originals:
        parsed, text = _read(file, problems)
        if not is_valid_slug(file.stem):
            problems.append(Problem(str(file), 0, _("the file name must be a slug: lower-case "
                                                    "letters, digits and hyphens")))
            broken.add(file.stem)
        elif parsed is not None and parsed.ok and parsed.doc is not None:
            good[file.stem] = (file, text, parsed.doc)
        else:
            broken.add(file.stem)
    texts: dict[str, dict[str, tuple[str, RubricDoc]]] = {}
    for file, slug, language in translations:
        parsed, text = _read(file, problems)
        if parsed is None or parsed.doc is None or not parsed.ok:
            continue
        doc = parsed.doc
        if slug not in good and slug not in broken:
            problems.append(Problem(str(file), 1, _("a translation without an original: add "
                                                    "%(name)s", name=f"{slug}.yaml")))
            continue
        if doc.language != language:
            problems.append(Problem(str(file), doc.lines.get("language", 1),
                                    _("'language' must be %(language)s, as in the file name",
                                      language=language)))
            continue
        if slug in good:
            original = good[slug][2]
            if language == original.language:
                problems.append(Problem(str(file), 1, _("a translation into the original's "
                                                        "own language")))
                continue
            differences = translation_differences(doc, original, str(file))
            problems += differences
            if not differences:
                texts.setdefault(slug, {})[language] = (text, doc)
    rubric_files = [RubricFile(slug, path, text, doc, texts.get(slug, {}))
                    for slug, (path, text, doc) in good.items()]
    return RubricFolder(rubric_files, sorted(problems), len(files), frozenset(broken))


def _read(file: Path, problems: list[Problem]) -> tuple[Parsed[RubricDoc] | None, str]:
    text, problem = read_text(file)
    if problem is not None or text is None:
        problems.append(problem)  # type: ignore[arg-type]
        return None, ""
    parsed = parse_rubric(text, str(file))
    problems.extend(parsed.problems)
    return parsed, text


def check_rubrics(folder: Path) -> tuple[list[Problem], int]:
    """What ``lms content check`` reports for the rubrics folder, and how many files it read."""
    found = read_rubrics(folder)
    return found.problems, found.count
