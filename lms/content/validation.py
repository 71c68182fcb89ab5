"""Validate content: one file in the context of the others, or a whole content tree.

``check_tree`` is what ``lms content check`` runs. The ``check_*_text`` functions let a browser
editor validate one unsaved text against a ``Context`` describing everything else (the existing
slugs, the media files, the prerequisite graph), with the same rules and messages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from flask_babel import gettext as _

from lms.content.bodyscan import scan_body
from lms.content.documents import ModuleDoc, PathDoc, QuizDoc
from lms.content.files import MEDIA_FOLDER, ContentFiles, find_content_files, read_text
from lms.content.graph import cycle_through
from lms.content.links import (
    is_external,
    is_image_file,
    is_valid_slug,
    looks_like_module_link,
    media_name,
    module_link,
)
from lms.content.parsing import Parsed, parse_module, parse_path, parse_quiz, slug_of
from lms.content.problems import Problem, Severity
from lms.content.quizrules import check_quiz_doc
from lms.content.rendering import heading_ids
from lms.content.translations import split_files, translation_problems
from lms.safeyaml import quote

D = TypeVar("D")

DEFAULT_CATEGORIES: tuple[str, ...] = ("product-knowledge", "customer-demographics")


@dataclass(frozen=True)
class Context:
    """What one file is checked against: everything else in the content tree."""

    module_slugs: frozenset[str] = frozenset()
    quiz_slugs: frozenset[str] = frozenset()
    path_slugs: frozenset[str] = frozenset()
    media_files: frozenset[str] = frozenset()
    #: module slug -> its prerequisites, for cycle and path-order checks
    prerequisites: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: module slug -> the anchors of its headings; a module missing here is not checked
    anchors: Mapping[str, frozenset[str]] = field(default_factory=dict)
    categories: tuple[str, ...] = DEFAULT_CATEGORIES
    #: folders used to name unsaved files in problems
    modules_dir: str = "content/modules"
    quiz_dir: str = "quizzes"
    paths_dir: str = "content/paths"


def check_module_text(slug: str, text: str, context: Context,
                      path: str | None = None) -> list[Problem]:
    """Problems in a module's text if it were saved as ``<slug>.md``."""
    path = path or f"{context.modules_dir}/{slug}.md"
    parsed = parse_module(text, path)
    if parsed.doc is not None:
        # Links to this module's own headings check against the text being edited.
        anchors = {**context.anchors, slug: heading_ids(parsed.doc.body)}
        context = replace(context, anchors=anchors)
    return _sorted(_module_problems(parsed, slug, path, context))


def check_quiz_text(slug: str, text: str, context: Context,
                    path: str | None = None) -> list[Problem]:
    """Problems in a quiz's text if it were saved as ``<slug>.yaml``."""
    path = path or f"{context.quiz_dir}/{slug}.yaml"
    return _sorted(_quiz_problems(parse_quiz(text, path), slug, path))


def check_path_text(slug: str, text: str, context: Context,
                    path: str | None = None) -> list[Problem]:
    """Problems in a learning path's text if it were saved as ``<slug>.yaml``."""
    path = path or f"{context.paths_dir}/{slug}.yaml"
    return _sorted(_path_problems(parse_path(text, path), slug, path, context))


def check_tree(modules_dir: str | Path, quiz_dir: str | Path, paths_dir: str | Path,
               categories: Iterable[str] = DEFAULT_CATEGORIES) -> list[Problem]:
    """Every problem in the content folders, sorted by path and line."""
    modules_dir, quiz_dir, paths_dir = Path(modules_dir), Path(quiz_dir), Path(paths_dir)
    found, translations = _originals(find_content_files(modules_dir, quiz_dir, paths_dir))
    problems = list(found.problems)

    modules = _load(found.modules, parse_module, problems)
    quizzes = _load(found.quizzes, parse_quiz, problems)
    learning_paths = _load(found.paths, parse_path, problems)
    context = _context(found, modules, categories, modules_dir, quiz_dir, paths_dir)
    for file, module in modules.items():
        problems += _module_problems(module, file.stem, str(file), context)
    for file, quiz in quizzes.items():
        problems += _quiz_problems(quiz, file.stem, str(file))
    for file, learning_path in learning_paths.items():
        problems += _path_problems(learning_path, file.stem, str(file), context)
    problems += _translations_problems(translations, (modules, quizzes, learning_paths), context)
    return _sorted(problems)


def tree_context(modules_dir: str | Path, quiz_dir: str | Path, paths_dir: str | Path,
                 categories: Iterable[str] = DEFAULT_CATEGORIES) -> Context:
    """The ``Context`` the files on disk give, for checking one edited text against them."""
    modules_dir, quiz_dir, paths_dir = Path(modules_dir), Path(quiz_dir), Path(paths_dir)
    found, _ = _originals(find_content_files(modules_dir, quiz_dir, paths_dir))
    modules = _load(found.modules, parse_module, [])
    return _context(found, modules, categories, modules_dir, quiz_dir, paths_dir)


def _originals(found: ContentFiles) -> tuple[ContentFiles, list[list[tuple[Path, str, str]]]]:
    """The files without translations, and the translations of modules, quizzes and paths."""
    modules, module_translations = split_files(found.modules)
    quizzes, quiz_translations = split_files(found.quizzes)
    paths, path_translations = split_files(found.paths)
    return (replace(found, modules=modules, quizzes=quizzes, paths=paths),
            [module_translations, quiz_translations, path_translations])


def _translations_problems(translations: list[list[tuple[Path, str, str]]],
                           originals: tuple[dict[Path, Parsed], ...],
                           context: Context) -> list[Problem]:
    """Each translation is checked as a file of its kind under the original's slug, then
    against the original (lms/content/translations.py)."""
    problems: list[Problem] = []
    kinds = ((parse_module, _module_problems), (parse_quiz, _quiz_problems),
             (parse_path, _path_problems))
    for files, parsed_originals, (parse, kind_problems) in zip(translations, originals, kinds,
                                                                 strict=True):
        by_slug = {file.stem: (file, parsed) for file, parsed in parsed_originals.items()}
        for file, slug, language in files:
            text, problem = read_text(file)
            if problem is not None:
                problems.append(problem)
                continue
            parsed = parse(text, str(file))
            if kind_problems is _quiz_problems:
                problems += kind_problems(parsed, slug, str(file))
            else:
                problems += kind_problems(parsed, slug, str(file), context)
            if parsed.doc is None:
                continue
            original_file, original = by_slug.get(slug, (None, None))
            problems += translation_problems(
                parsed.doc, original.doc if original is not None else None, language, str(file),
                original_file.name if original_file is not None else f"{slug}{file.suffix}")
    return problems


def _context(found: ContentFiles, modules: dict[Path, Parsed[ModuleDoc]],
             categories: Iterable[str], modules_dir: Path, quiz_dir: Path,
             paths_dir: Path) -> Context:
    docs = [parsed.doc for parsed in modules.values() if parsed.doc is not None]
    return Context(
        module_slugs=frozenset(slug_of(str(p)) for p in found.modules),
        quiz_slugs=frozenset(slug_of(str(p)) for p in found.quizzes),
        path_slugs=frozenset(slug_of(str(p)) for p in found.paths),
        media_files=frozenset(found.media),
        prerequisites={doc.slug: doc.prerequisites for doc in docs},
        anchors={doc.slug: heading_ids(doc.body) for doc in docs},
        categories=tuple(categories),
        modules_dir=str(modules_dir), quiz_dir=str(quiz_dir), paths_dir=str(paths_dir),
    )


def _load(files: list[Path], parse: Callable[[str, str], Parsed[D]],
          problems: list[Problem]) -> dict[Path, Parsed[D]]:
    results: dict[Path, Parsed[D]] = {}
    for file in files:
        text, problem = read_text(file)
        if problem is not None:
            problems.append(problem)
        results[file] = parse(text, str(file)) if text is not None else Parsed(None)
    return results


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(set(problems), key=lambda p: (p.path, p.line, p.severity, p.message))


def _slug_problems(slug: str, path: str) -> list[Problem]:
    if is_valid_slug(slug):
        return []
    return [Problem(path, 1, _("%(slug)s is not a valid slug: use lower-case letters, digits "
                               "and single hyphens, at most 80 characters (rename the file)",
                               slug=quote(slug)))]


# --- modules ---------------------------------------------------------------------------------


def _module_problems(parsed: Parsed[ModuleDoc], slug: str, path: str,
                     context: Context) -> list[Problem]:
    problems = _slug_problems(slug, path) + list(parsed.problems)
    doc = parsed.doc
    if doc is None:
        return problems
    if doc.category and doc.category not in context.categories:
        problems.append(Problem(path, doc.line_of("category"),
                                _("unknown category %(category)s: use one of %(categories)s",
                                  category=quote(doc.category),
                                  categories=", ".join(context.categories))))
    if doc.quiz is not None and doc.quiz not in context.quiz_slugs:
        problems.append(Problem(path, doc.line_of("quiz"),
                                _("quiz %(quiz)s does not exist (no %(file)s in quizzes)",
                                  quiz=quote(doc.quiz), file=doc.quiz + ".yaml")))
    known = context.module_slugs | {slug}
    seen: set[str] = set()
    for index, prerequisite in enumerate(doc.prerequisites):
        line = doc.item_line("prerequisites", index)
        if prerequisite in seen:
            problems.append(Problem(path, line, _("prerequisite %(module)s is listed twice",
                                                  module=quote(prerequisite)),
                                    "warning"))
        elif prerequisite not in known:
            problems.append(Problem(path, line, _("prerequisite %(module)s is not a module",
                                                  module=quote(prerequisite))))
        seen.add(prerequisite)
    graph = {**context.prerequisites, slug: doc.prerequisites}
    cycle = cycle_through(slug, graph)
    if cycle:
        line = doc.item_line("prerequisites", doc.prerequisites.index(cycle[1]))
        problems.append(Problem(path, line, _("prerequisite cycle: %(cycle)s",
                                              cycle=" -> ".join(cycle))))
    problems += _body_problems(doc, known, context)
    return problems


def _body_problems(doc: ModuleDoc, known: frozenset[str], context: Context) -> list[Problem]:
    problems: list[Problem] = []
    for ref in scan_body(doc.body, doc.body_line):
        check = _link_problem if ref.kind == "link" else _image_problem
        for message, severity in check(ref.target, ref.alt, known, context):
            problems.append(Problem(doc.path, ref.line, message, severity))
    return problems


def _link_problem(target: str, _alt: str | None, known: frozenset[str],
                  context: Context) -> list[tuple[str, Severity]]:
    link = module_link(target)
    if link is None:
        if looks_like_module_link(target):
            return [(_("link %(target)s: link to another module by its file name only, "
                       "e.g. other-module.md", target=target), "error")]
        return []
    if link.slug not in known:
        return [(_("link to module %(module)s (%(target)s): no such module",
                   module=quote(link.slug), target=target), "error")]
    anchors = context.anchors.get(link.slug)
    if link.anchor and anchors is not None and link.anchor not in anchors:
        # The page still opens, just not at the heading: a warning, not an error.
        return [(_("link %(target)s: module %(module)s has no heading with anchor %(anchor)s",
                   target=target, module=quote(link.slug), anchor=quote(link.anchor)),
                 "warning")]
    return []


def _image_problem(target: str, alt: str | None, _known: frozenset[str],
                   context: Context) -> list[tuple[str, Severity]]:
    shown = target or _("(no source)")
    media_dir = f"{context.modules_dir}/{MEDIA_FOLDER}"
    found: list[tuple[str, Severity]] = []
    if alt is None or not alt.strip():
        found.append((_("image %(image)s has no alt text", image=shown), "error"))
    name = media_name(target)
    if name is None:
        message = (_("image %(image)s is from another site: images must be files in "
                     "%(folder)s, written as media/<file>", image=shown, folder=media_dir)
                   if is_external(target) else
                   _("image %(image)s is outside media/: images must be files in %(folder)s, "
                     "written as media/<file>", image=shown, folder=media_dir))
        found.append((message, "error"))
    elif not is_image_file(name):
        found.append((_("image %(image)s: not a PNG, JPEG, GIF, SVG or WebP file",
                        image=target), "error"))
    elif name not in context.media_files:
        found.append((_("image %(image)s: no file %(file)s in %(folder)s", image=target,
                        file=name, folder=media_dir), "error"))
    return found


# --- quizzes and paths -----------------------------------------------------------------------


def _quiz_problems(parsed: Parsed[QuizDoc], slug: str, path: str) -> list[Problem]:
    problems = _slug_problems(slug, path) + list(parsed.problems)
    if parsed.doc is not None:
        problems += check_quiz_doc(parsed.doc)
    return problems


def _path_problems(parsed: Parsed[PathDoc], slug: str, path: str,
                   context: Context) -> list[Problem]:
    problems = _slug_problems(slug, path) + list(parsed.problems)
    doc = parsed.doc
    if doc is None:
        return problems
    position: dict[str, int] = {}
    for index, entry in enumerate(doc.modules):
        if entry.module in position:
            first = doc.modules[position[entry.module]].line
            problems.append(Problem(path, entry.line,
                                    _("module %(module)s is already in the path (line %(line)d)",
                                      module=quote(entry.module), line=first)))
            continue
        position[entry.module] = index
        if entry.module not in context.module_slugs:
            problems.append(Problem(path, entry.line, _("module %(module)s does not exist",
                                                        module=quote(entry.module))))
    for entry in doc.modules:
        later = [p for p in context.prerequisites.get(entry.module, ())
                 if position.get(p, -1) > position[entry.module]]
        for prerequisite in later:
            problems.append(Problem(path, entry.line,
                                    _("module %(module)s comes before its prerequisite "
                                      "%(prerequisite)s", module=quote(entry.module),
                                      prerequisite=quote(prerequisite)), "warning"))
    return problems
