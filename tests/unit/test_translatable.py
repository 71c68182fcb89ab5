"""Every piece of text a person reads goes through a translation call (issue 13).

Templates: the text between tags, and the attributes people read or hear (``title``, ``alt``,
``placeholder``, ``aria-label``, ``data-label`` of stacked tables), must sit inside
``{% trans %}`` or ``_()``; so must capitalised string literals inside ``{{ }}``/``{% %}``
(labels handed to macros). Python: the first argument of the calls that put text in front of
people (``flash``, ``abort``'s description, form fields' labels and validators' messages,
``click.echo`` and click's errors, the domain errors a page or a command shows) must be a
translation call, never a plain literal or f-string.

``tests/i18n/scan.py`` holds the scanners; this file applies them to the whole product.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.i18n.scan import python_findings, template_findings

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted([*(ROOT / "templates").rglob("*.html"), *(ROOT / "templates").rglob("*.txt")])
MODULES = sorted((ROOT / "lms").rglob("*.py"))


def _report(path: Path, findings: list[tuple[int, str]]) -> str:
    lines = "\n".join(f"  line {line}: {text!r}" for line, text in findings)
    return f"{path.relative_to(ROOT)}: text outside a translation call:\n{lines}"


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_template_text_is_translatable(path: Path) -> None:
    findings = template_findings(path.read_text(encoding="utf-8"))
    assert not findings, _report(path, findings)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_python_text_is_translatable(path: Path) -> None:
    findings = python_findings(path.read_text(encoding="utf-8"))
    assert not findings, _report(path, findings)


def test_the_scanners_catch_what_they_are_for() -> None:
    """The scanners find each kind of untranslated text and pass translated text."""
    template = (
        '<h1>Hello</h1>\n<p>{{ _("Fine") }}</p>\n<img alt="A chart">\n'
        '{% trans %}Also fine{% endtrans %}\n<td data-label="Amount">1</td>\n'
        '{{ button(label="Save now") }}\n<span class="{{ "badge" }}">—</span>\n'
        '<p title="{{ _(\'Fine\') }}">{{ value }}</p>\n'
    )
    assert [text for _, text in template_findings(template)] == [
        "Hello", "A chart", "Amount", "Save now"]
    source = (
        "flash('Saved.')\nflash(_('Saved.'))\nflash(f'Saved {n}.')\n"
        "name = StringField('Name', validators=[DataRequired(message='Say it')])\n"
        "name = StringField(_l('Name'))\nraise ImportProblem(f'line {n}: no date')\n"
        "raise ValueError('internal')\nclick.echo(f'{n} rows')\nclick.echo(_('{n} rows'))\n"
        "abort(404, 'No such page')\nabort(404)\n"
    )
    assert [text for _, text in python_findings(source)] == [
        "Saved.", "Saved {n}.", "Name", "Say it", "line {n}: no date", "{n} rows",
        "No such page"]
