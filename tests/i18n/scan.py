"""Scanners for text a person reads that is not inside a translation call (issue 13).

``template_findings(source)`` reads a Jinja template; ``python_findings(source)`` a Python
module. Each returns ``[(line, text), ...]``. They are heuristics with a stated scope, not a
proof: the rules are in tests/unit/test_translatable.py's docstring.
"""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser

from jinja2 import Environment

# Words that read the same in every language the product speaks: names and file formats.
NEUTRAL_WORDS = {
    "Verkoopklaar", "CSV", "JSON", "API", "SVG", "CRM", "HubSpot", "Salesforce", "GIFT",
    "Moodle", "Markdown", "YAML", "OK", "ID", "id", "URL", "PNG", "UTF", "BOM", "vs", "p",
    "Δ", "n", "N", "DiD", "ITT", "IV", "OLS", "CI",
}
VISIBLE_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "data-label", "label"}
CODE_ELEMENTS = {"script", "style", "code", "pre", "kbd", "samp", "svg"}
TRANS_FUNCTIONS = {"_", "gettext", "ngettext", "pgettext", "npgettext", "_l", "lazy_gettext",
                   "lazy_ngettext", "_n"}
_LETTERS = re.compile(r"[^\W\d_]{2,}")
_FORMAT_SPEC = re.compile(r"%(\([^)]*\))?[-+ #0]*\d*(?:\.\d+)?[a-zA-Z]|\{[^}]*\}")
_CAPITALISED = re.compile(r"^[A-Z][a-z]")
_PLACEHOLDER = "\x00"


def _words(text: str) -> list[str]:
    text = _FORMAT_SPEC.sub(" ", text.replace(_PLACEHOLDER, " "))
    return [w for w in _LETTERS.findall(text) if w not in NEUTRAL_WORDS]


# Templates ------------------------------------------------------------------------------------


class _Text(HTMLParser):
    """Collects text nodes and visible attribute values from HTML with placeholders."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self.code_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in CODE_ELEMENTS:
            self.code_depth += 1
        kind = dict(attrs).get("type")
        for name, value in attrs:
            visible = name in VISIBLE_ATTRIBUTES or (
                name == "value" and tag == "input" and kind in ("submit", "button"))
            if visible and value and _words(value):
                self.found.append((self.getpos()[0], value.replace(_PLACEHOLDER, "…").strip()))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in CODE_ELEMENTS:
            self.code_depth -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in CODE_ELEMENTS and self.code_depth:
            self.code_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.code_depth and _words(data):
            self.found.append((self.getpos()[0], " ".join(data.replace(_PLACEHOLDER, "…").split())))


def _output_context(html: str) -> str | None:
    """Where an expression at the end of ``html`` prints: "text", a visible attribute's name,
    or None (a tag's other attributes, a script)."""
    inside_tag = html.rfind("<") > html.rfind(">")
    if not inside_tag:
        return "text"
    match = re.search(r"([\w:-]+)\s*=\s*[\"'][^\"']*$", html)
    if match and match.group(1) in VISIBLE_ATTRIBUTES:
        return match.group(1)
    return None


def template_findings(source: str) -> list[tuple[int, str]]:
    env = Environment(extensions=["jinja2.ext.i18n", "jinja2.ext.do"])
    stream = env.lexer.tokeniter(source, None)
    html: list[str] = []
    findings: list[tuple[int, str]] = []
    in_trans = False
    in_expression = None  # "variable" or "block" while inside {{ }} / {% %}
    expression_context: str | None = None
    expecting_tag_name = False
    calls: list[bool] = []  # for each open parenthesis: is it a translation call's?
    previous_name = ""
    for lineno, kind, value in stream:
        if kind == "whitespace":
            continue
        if kind == "data":
            html.append(_PLACEHOLDER if in_trans else value)
            continue
        if kind in ("variable_begin", "block_begin"):
            in_expression = "variable" if kind == "variable_begin" else "block"
            expression_context = _output_context("".join(html)) if kind == "variable_begin" \
                else None
            expecting_tag_name = kind == "block_begin"
            calls = []
            html.append(_PLACEHOLDER)
            continue
        if kind in ("variable_end", "block_end"):
            in_expression = None
            continue
        if in_expression is None:
            continue
        if kind == "name":
            if expecting_tag_name:
                if value == "trans":
                    in_trans = True
                elif value == "endtrans":
                    in_trans = False
                expecting_tag_name = False
            previous_name = value
            continue
        expecting_tag_name = False
        if kind == "operator" and value == "(":
            calls.append(previous_name in TRANS_FUNCTIONS)
        elif kind == "operator" and value == ")" and calls:
            calls.pop()
        elif kind == "string" and not any(calls) and not in_trans:
            text = value[1:-1] if value[:1] in "'\"" else value
            printed = expression_context is not None and not calls
            if _words(text) and (_CAPITALISED.match(text) or printed):
                findings.append((lineno, text))
        previous_name = ""

    # Text and visible attributes outside {% trans %}, with line numbers kept: rebuild the
    # document from the data tokens at their own lines.
    findings += _html_findings(source, env)
    return sorted(findings)


def _html_findings(source: str, env: Environment) -> list[tuple[int, str]]:
    pieces: list[str] = []
    in_trans = False
    expecting_tag_name = False
    for lineno, kind, value in env.lexer.tokeniter(source, None):
        if kind == "whitespace":
            continue
        current = "".join(pieces).count("\n") + 1
        if current < lineno:
            pieces.append("\n" * (lineno - current))
        if kind == "data":
            pieces.append(_PLACEHOLDER if in_trans else value)
        elif kind in ("variable_begin", "block_begin"):
            pieces.append(_PLACEHOLDER)
            expecting_tag_name = kind == "block_begin"
        elif kind == "name" and expecting_tag_name:
            in_trans = value == "trans" or (in_trans and value != "endtrans")
            expecting_tag_name = False
        else:
            expecting_tag_name = False
    parser = _Text()
    parser.feed("".join(pieces))
    parser.close()
    return parser.found


# Python ---------------------------------------------------------------------------------------

#: Calls whose text reaches a person, and which of their arguments carry it.
TEXT_CALLS: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {
    "flash": ((0,), ("message",)),
    "abort": ((1,), ("description",)),
    "echo": ((0,), ("message",)),
    "secho": ((0,), ("message",)),
    "ValidationError": ((0,), ("message",)),
    "StopValidation": ((0,), ("message",)),
    "ClickException": ((0,), ("message",)),
    "UsageError": ((0,), ("message",)),
    "BadParameter": ((0,), ("message",)),
    "Progress": ((1,), ("detail",)),
}
#: Domain errors and problem records that pages and commands show as they are: every string
#: argument that reads as words (not a code such as "error" or a path) must be translated.
MESSAGE_CLASSES = ("Error", "Problem", "Conflict", "Invalid", "Refused")
INTERNAL_EXCEPTIONS = {"ValueError", "TypeError", "RuntimeError", "KeyError", "LookupError",
                       "NotImplementedError", "AssertionError", "AttributeError", "OSError",
                       "IndexError", "PermissionError", "FileNotFoundError", "IntegrityError"}
VALIDATORS = {"DataRequired", "InputRequired", "Length", "NumberRange", "Email", "Regexp",
              "EqualTo", "AnyOf", "NoneOf", "URL", "Optional", "FileRequired", "FileAllowed",
              "FileSize"}
_CODE_LIKE = re.compile(r"^[a-z0-9_.:/\-]*$")


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _plain_text(node: ast.expr | None) -> str | None:
    """The text of a plain string or f-string that reads as words, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(
            part.value if isinstance(part, ast.Constant) else
            "{" + (ast.unparse(part.value) if isinstance(part, ast.FormattedValue) else "") + "}"
            for part in node.values)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _plain_text(node.left) or _plain_text(node.right)
    else:
        return None
    if _CODE_LIKE.match(text) or not _words(text):
        return None
    return text


def python_findings(source: str) -> list[tuple[int, str]]:
    findings: list[tuple[int, str]] = []

    def check(node: ast.expr | None) -> None:
        text = _plain_text(node)
        if text is not None and node is not None:
            findings.append((node.lineno, text))

    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        if name in TEXT_CALLS:
            positions, names = TEXT_CALLS[name]
            for index in positions:
                if index < len(node.args):
                    check(node.args[index])
            for key in names:
                check(keywords.get(key))
        elif name.endswith("Field") and name[:1].isupper():
            if node.args:
                check(node.args[0])
            check(keywords.get("label"))
            check(keywords.get("description"))
            choices = keywords.get("choices")
            if isinstance(choices, (ast.List, ast.Tuple)):
                for choice in choices.elts:
                    if isinstance(choice, ast.Tuple) and len(choice.elts) == 2:
                        check(choice.elts[1])
        elif name in VALIDATORS:
            check(keywords.get("message"))
        elif name.endswith(MESSAGE_CLASSES) and name not in INTERNAL_EXCEPTIONS \
                and name[:1].isupper():
            for argument in [*node.args, *keywords.values()]:
                check(argument)
    return sorted(findings)
