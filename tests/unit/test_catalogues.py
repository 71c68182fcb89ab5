"""The Dutch and English catalogues are complete: every string the code marks for translation
has a translation, none is fuzzy, and each keeps the placeholders of its original (issue 13)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.checkers import num_plurals, python_format
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ("nl", "en")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
            "lazy_ngettext": (1, 2), "pgettext": ((1, "c"), 2), "npgettext": ((1, "c"), 2, 3)}
#: pybabel's own keywords: ``make translations`` passes only the others with -k.
BABEL_DEFAULTS = {"_", "gettext", "ngettext", "pgettext", "npgettext"}


def catalogue(locale: str):  # noqa: ANN201 - babel Catalog
    with (ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=locale)


@pytest.fixture(scope="module")
def extracted() -> set[str]:
    """The msgids in the code and templates now, as ``make translations`` would extract them."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.mark.parametrize("locale", LOCALES)
def test_every_string_in_the_code_is_in_the_catalogue(locale, extracted):
    ids = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalogue(locale) if m.id}
    missing = sorted(extracted - ids)
    assert not missing, (f"{len(missing)} strings are not in the {locale} catalogue: run "
                         f"`make translations` and translate them: {missing[:10]}")


@pytest.mark.parametrize("locale", LOCALES)
def test_no_entry_is_untranslated_or_fuzzy(locale):
    untranslated, fuzzy = [], []
    for message in catalogue(locale):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            untranslated.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert not untranslated, f"untranslated in {locale}: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy in {locale}: {fuzzy[:10]}"


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_keep_their_placeholders_and_plural_forms(locale):
    cat = catalogue(locale)
    problems = []
    for message in cat:
        if not message.id:
            continue
        for check in (python_format, num_plurals):
            try:
                check(cat, message)
            except Exception as exc:  # babel's TranslationError, per message
                problems.append(f"{message.id!r}: {exc}")
    assert not problems, "\n".join(problems[:20])


def test_dutch_is_not_english():
    """A catalogue copied from the English would pass the checks above."""
    cat = catalogue("nl")
    same = [m.id for m in cat if m.id and isinstance(m.id, str) and m.string == m.id
            and len(m.id.split()) > 3]
    assert len(same) < 10, same


def _translation_names() -> dict[str, str]:
    """Every name the code calls a translation function by, with the function: imported from
    flask_babel (``gettext as _``) or from lms.i18n, which re-exports ``_l``."""
    names = {}
    for path in (ROOT / "lms").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module in ("flask_babel", "lms.i18n"):
                for alias in node.names:
                    if alias.name.endswith("gettext") or alias.name == "_l":
                        names[alias.asname or alias.name] = f"{path.name}: {alias.name}"
    return names


def test_every_translation_function_the_code_uses_is_extracted():
    """A string marked with a function the extraction does not know never reaches the
    catalogues, and shows in English on a Dutch page (lazy_ngettext did, in the impact
    report's reasons for leaving a person out)."""
    names = _translation_names()
    assert {"_", "_l", "ngettext"} <= names.keys()  # the scan finds what the code uses
    unknown = {name: where for name, where in names.items() if name not in KEYWORDS}
    assert not unknown, f"not extracted (add to KEYWORDS and to the Makefile's -k): {unknown}"
    makefile = (ROOT / "Makefile").read_text()
    passed = set(re.findall(r"-k (\w+)", makefile))
    missing = {name for name in names if name not in BABEL_DEFAULTS | passed}
    assert not missing, f"`make translations` does not extract: {sorted(missing)}"
