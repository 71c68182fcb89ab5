"""Translations of content: ``x.nl.md`` beside ``x.md`` (docs/authoring.md, "Translations").

A translation carries the original's slug and differs from it only in text: the checks here
compare everything that is not text (a quiz's question ids, types, options and correct answers;
a module's quiz and prerequisites; a path's modules), so that grading, completion and readiness
can treat every translation of a quiz as the same quiz.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from flask_babel import gettext as _

from lms.content.documents import (
    Matching,
    ModuleDoc,
    MultipleResponse,
    Numeric,
    PathDoc,
    Question,
    QuizDoc,
    ShortText,
    SingleChoice,
    TrueFalse,
)
from lms.content.problems import Problem
from lms.safeyaml import quote

_TRANSLATED_STEM = re.compile(r"^(?P<slug>.+)\.(?P<language>[a-z]{2})$")


def split_stem(stem: str) -> tuple[str, str | None]:
    """``"objection-handling.nl"`` -> ``("objection-handling", "nl")``; an original -> (stem,
    None)."""
    match = _TRANSLATED_STEM.match(stem)
    return (match["slug"], match["language"]) if match else (stem, None)


def split_files(files: list[Path]) -> tuple[list[Path], list[tuple[Path, str, str]]]:
    """Originals, and translations as (file, original's slug, language)."""
    originals: list[Path] = []
    translations: list[tuple[Path, str, str]] = []
    for file in files:
        slug, language = split_stem(file.stem)
        if language is None:
            originals.append(file)
        else:
            translations.append((file, slug, language))
    return originals, translations


def translation_problems(doc: ModuleDoc | QuizDoc | PathDoc,
                         original: ModuleDoc | QuizDoc | PathDoc | None,
                         language: str, path: str, original_name: str) -> list[Problem]:
    """What makes ``doc`` (read from ``path``, named as a ``language`` translation) not a
    translation of ``original``; ``original`` is None when there is no readable original."""
    problems: list[Problem] = []
    if doc.language != language:
        problems.append(Problem(
            path, doc.line_of("language"),
            _("the file name says this is the %(named)s translation, but its 'language' is "
              "%(language)s: make them agree", named=quote(language),
              language=quote(doc.language))))
    if original is None:
        problems.append(Problem(path, 1, _("a translation of %(original)s, which does not exist "
                                           "or cannot be read", original=original_name)))
        return problems
    if original.language == language:
        problems.append(Problem(path, 1, _("%(original)s is already in %(language)s: a "
                                           "translation must be in another language",
                                           original=original_name, language=quote(language))))
    if isinstance(doc, ModuleDoc) and isinstance(original, ModuleDoc):
        problems += _module_differences(doc, original, path, original_name)
    elif isinstance(doc, QuizDoc) and isinstance(original, QuizDoc):
        problems += _quiz_differences(doc, original, path, original_name)
    elif isinstance(doc, PathDoc) and isinstance(original, PathDoc):
        if [(e.module, e.required) for e in doc.modules] != \
                [(e.module, e.required) for e in original.modules]:
            problems.append(Problem(path, doc.line_of("modules"),
                                    _("the modules differ from %(original)s's: a translation "
                                      "lists the same modules in the same order",
                                      original=original_name)))
        if doc.certificate_validity_days != original.certificate_validity_days:
            problems.append(Problem(path, doc.line_of("certificate_validity_days"),
                                    _("certificate_validity_days differs from %(original)s's",
                                      original=original_name)))
    return problems


def _module_differences(doc: ModuleDoc, original: ModuleDoc, path: str,
                        name: str) -> list[Problem]:
    problems = []
    for field in ("category", "quiz", "prerequisites"):
        if getattr(doc, field) != getattr(original, field):
            problems.append(Problem(path, doc.line_of(field), _(
                "%(field)s differs from %(original)s's: a translation keeps it as it is",
                field=field, original=name)))
    return problems


def _quiz_differences(doc: QuizDoc, original: QuizDoc, path: str, name: str) -> list[Problem]:
    problems = []
    if replace(doc.settings, path="", line=1) != replace(original.settings, path="", line=1):
        problems.append(Problem(path, doc.line_of("settings"),
                                _("the settings differ from %(original)s's: a translation "
                                  "keeps them", original=name)))
    ids = [q.id for q in doc.questions]
    original_ids = [q.id for q in original.questions]
    if ids != original_ids:
        missing = [i for i in original_ids if i not in ids]
        extra = [i for i in ids if i not in original_ids]
        detail = "; ".join(part for part in (
            _("missing %(ids)s", ids=", ".join(missing)) if missing else "",
            _("not in the original: %(ids)s", ids=", ".join(extra)) if extra else "",
            _("in another order") if not missing and not extra else "") if part)
        problems.append(Problem(path, doc.line_of("questions"),
                                _("the question ids differ from %(original)s's (%(detail)s)",
                                  original=name, detail=detail)))
        return problems
    for question, source in zip(doc.questions, original.questions, strict=True):
        difference = _question_difference(question, source)
        if difference:
            problems.append(Problem(path, question.line,
                                    _("question %(id)s: %(difference)s than in %(original)s",
                                      id=quote(question.id), difference=difference,
                                      original=name)))
    return problems


def _question_difference(question: Question, original: Question) -> str | None:
    """Why ``question`` cannot be graded as ``original`` is, or None."""
    if type(question) is not type(original):
        return _("another type")
    if question.points != original.points:
        return _("other points")
    if isinstance(question, SingleChoice | MultipleResponse):
        assert isinstance(original, SingleChoice | MultipleResponse)
        if len(question.options) != len(original.options):
            return _("another number of options")
        if [_key(o) for o in question.options] != [_key(o) for o in original.options]:
            return _("other correct options (or weights)")
    elif isinstance(question, TrueFalse):
        assert isinstance(original, TrueFalse)
        if question.answer != original.answer:
            return _("another answer")
    elif isinstance(question, Numeric):
        assert isinstance(original, Numeric)
        if [(a.value, a.tolerance, a.min, a.max, a.weight) for a in question.answers] != \
                [(a.value, a.tolerance, a.min, a.max, a.weight) for a in original.answers]:
            return _("other numeric answers")
    elif isinstance(question, Matching):
        assert isinstance(original, Matching)
        if len(question.pairs) != len(original.pairs) or \
                len(question.distractors) != len(original.distractors):
            return _("another number of pairs or distractors")
    elif isinstance(question, ShortText):
        # Accepted spellings differ per language; full credit must stay reachable in both.
        assert isinstance(original, ShortText)
        if max((a.weight for a in question.answers), default=0) != \
                max((a.weight for a in original.answers), default=0):
            return _("another highest answer weight")
    return None


def _key(option) -> tuple:  # noqa: ANN001 - a choice option
    return (getattr(option, "correct", None), getattr(option, "weight", None))
