"""Reading YAML node trees field by field, recording problems with real line numbers.

``yaml.safe_load`` forgets where values came from, so the parsers compose the node tree with
``SafeLoader`` and read each field through ``Fields``: every wrong type, out-of-range value,
unknown or duplicate key becomes a ``Problem`` at the line of the offending node, and parsing
carries on so one run reports everything.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Collection, Iterator
from typing import Any

import yaml
from flask_babel import gettext as _

from lms import safeyaml
from lms.content.problems import Problem, Severity
from lms.safeyaml import quote

_CORE_TAG = "tag:yaml.org,2002:"


class Reader:
    """Collects problems for one file; ``offset`` shifts YAML lines to file lines."""

    def __init__(self, path: str, offset: int = 0) -> None:
        self.path = path
        self.offset = offset
        self.problems: list[Problem] = []
        self._loader = yaml.SafeLoader("")

    def line(self, node: yaml.Node) -> int:
        return int(node.start_mark.line) + 1 + self.offset

    def report(self, line: int, message: str, severity: Severity = "error") -> None:
        self.problems.append(Problem(self.path, line, message, severity))

    def compose(self, text: str) -> yaml.Node | None:
        """The root node, or None (with a problem recorded) when the YAML does not parse."""
        try:
            return safeyaml.compose(text)
        except safeyaml.YAMLExpansionError as exc:
            line = (exc.problem_mark.line if exc.problem_mark else 0) + 1 + self.offset
            self.report(line, _("YAML aliases: %(problem)s", problem=exc.problem))
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 + self.offset if mark else 1 + self.offset
            context = exc.context or ""
            if exc.context_mark and exc.context_mark.line + 1 + self.offset != line:
                # e.g. an unclosed quote: the error shows at the end, the cause is earlier.
                context = _("%(context)s (line %(line)d)", context=context,
                            line=exc.context_mark.line + 1 + self.offset)
            problem = ": ".join(filter(None, (context.strip(), exc.problem)))
            self.report(line, _("YAML syntax error: %(problem)s", problem=problem))
        except yaml.YAMLError as exc:
            self.report(1 + self.offset, _("YAML error: %(problem)s", problem=str(exc)))
        return None

    def value(self, node: yaml.Node) -> Any:
        """The scalar's YAML value, or None when its tag cannot be built (``!!int abc``, ``!x``)."""
        if not node.tag.startswith(_CORE_TAG):
            return None
        try:
            return self._loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ArithmeticError, LookupError, TypeError, ValueError):
            # PyYAML's constructors raise assorted built-in errors for explicitly tagged bad
            # values such as `!!bool maybe`; forget the half-built node and report a bad value.
            self._loader.recursive_objects.clear()
            return None

    def mapping(self, node: yaml.Node | None, what: str, line: int | None = None) -> Fields | None:
        if isinstance(node, yaml.MappingNode):
            return Fields(self, node, what)
        where = line if node is None else self.line(node)
        self.report(where or 1 + self.offset, _("%(what)s must be a mapping of fields", what=what))
        return None

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        self.report(self.line(node), _("%(what)s must be a list", what=what))
        return []

    # --- scalars -----------------------------------------------------------------------------

    def text(self, node: yaml.Node, what: str) -> str | None:
        # The source text, not the resolved value: `text: Yes` means the word, not a boolean.
        if isinstance(node, yaml.ScalarNode) and node.tag != "tag:yaml.org,2002:null":
            if node.value.strip():
                return str(node.value)
            self.report(self.line(node), _("%(what)s must not be empty", what=what))
            return None
        self.report(self.line(node), _("%(what)s must be text", what=what))
        return None

    def number(
        self, node: yaml.Node, what: str, *, whole: bool = False,
        minimum: float | None = None, maximum: float | None = None, above: float | None = None,
    ) -> float | None:
        raw = self.value(node) if isinstance(node, yaml.ScalarNode) else None
        wanted = int if whole else int | float
        value: float | None = None
        if isinstance(raw, wanted) and not isinstance(raw, bool) and math.isfinite(raw):
            value = raw
        if value is None:
            self.report(self.line(node), _("%(what)s must be a whole number", what=what)
                        if whole else _("%(what)s must be a number", what=what))
            return None
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            self.report(self.line(node), _range(what, minimum, maximum, value))
            return None
        if above is not None and value <= above:
            self.report(self.line(node), _("%(what)s must be greater than %(limit)s, not "
                                           "%(value)s", what=what, limit=format(above, "g"),
                                           value=value))
            return None
        return value

    def boolean(self, node: yaml.Node, what: str) -> bool | None:
        value = self.value(node) if isinstance(node, yaml.ScalarNode) else None
        if isinstance(value, bool):
            return value
        self.report(self.line(node), _("%(what)s must be true or false", what=what))
        return None

    def choice(self, node: yaml.Node, what: str, choices: Collection[str]) -> str | None:
        value = node.value if isinstance(node, yaml.ScalarNode) else None
        if value in choices:
            return str(value)
        self.report(self.line(node), _("%(what)s must be one of %(choices)s", what=what,
                                             choices=", ".join(choices)))
        return None

    def text_list(self, node: yaml.Node, what: str) -> tuple[list[str], list[int]]:
        """Texts and their lines; ``tags: machines`` (a single word) is not accepted as a list."""
        texts: list[str] = []
        lines: list[int] = []
        for item in self.sequence(node, what):
            text = self.text(item, _("each item of %(what)s", what=what))
            if text is not None:
                texts.append(text)
                lines.append(self.line(item))
        return texts, lines


class Fields:
    """The keys of one YAML mapping, read one at a time."""

    def __init__(self, reader: Reader, node: yaml.MappingNode, what: str) -> None:
        self.reader = reader
        self.what = what
        self.line = reader.line(node)
        self.nodes: dict[str, yaml.Node] = {}
        self.lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            key_line = reader.line(key_node)
            if not isinstance(key, str) or not key:
                reader.report(key_line, _("%(what)s: field names must be text", what=what))
            elif key in self.nodes:
                reader.report(key_line, _("%(what)s: field %(field)s appears twice (first on "
                                          "line %(line)d)", what=what, field=quote(key),
                                          line=self.lines[key]))
            else:
                self.nodes[key] = value_node
                self.lines[key] = key_line

    def __contains__(self, key: str) -> bool:
        return key in self.nodes

    def __iter__(self) -> Iterator[str]:
        return iter(self.nodes)

    def check_known(self, allowed: Collection[str], where: str | None = None) -> None:
        for key in self.nodes:
            if key not in allowed:
                hint = difflib.get_close_matches(key, list(allowed), n=1)
                where_ = where or self.what
                self.reader.report(
                    self.lines[key],
                    _("unknown field %(field)s in %(where)s (did you mean %(hint)s?)",
                      field=quote(key), where=where_, hint=quote(hint[0])) if hint
                    else _("unknown field %(field)s in %(where)s", field=quote(key), where=where_),
                )

    def node(self, key: str, required: bool = False) -> yaml.Node | None:
        node = self.nodes.get(key)
        if node is None and required:
            self.reader.report(self.line, _("%(what)s: missing required field %(field)s",
                                            what=self.what, field=quote(key)))
        if node is not None and _is_null(node) and required:
            self.reader.report(self.lines[key], _("%(what)s: %(field)s must not be empty",
                                                  what=self.what, field=quote(key)))
            return None
        return node

    def text(self, key: str, required: bool = False) -> str | None:
        node = self.node(key, required)
        if node is None or (not required and _is_null(node)):
            return None
        return self.reader.text(node, f"{quote(key)}")

    def number(self, key: str, default: Any = None, **limits: Any) -> Any:
        required = limits.pop("required", False)
        node = self.node(key, required)
        if node is None:
            return default
        value = self.reader.number(node, f"{quote(key)}", **limits)
        return default if value is None else value

    def boolean(self, key: str, default: bool) -> bool:
        node = self.node(key)
        value = None if node is None else self.reader.boolean(node, f"{quote(key)}")
        return default if value is None else value

    def choice(self, key: str, choices: Collection[str], default: str) -> str:
        node = self.node(key)
        value = None if node is None else self.reader.choice(node, f"{quote(key)}", choices)
        return default if value is None else value

    def word_or_whole(self, key: str, word: str, minimum: int, default: int | None) -> int | None:
        """A setting that is a keyword (``unlimited``, ``all``, ``none``) or a whole number."""
        node = self.node(key)
        if node is None:
            return default
        if isinstance(node, yaml.ScalarNode) and node.value == word:
            return None
        value = self.reader.value(node) if isinstance(node, yaml.ScalarNode) else None
        if isinstance(value, int) and not isinstance(value, bool) and value >= minimum:
            return value
        self.reader.report(self.lines[key], _("%(field)s must be %(word)s or a whole number "
                                              ">= %(minimum)d", field=quote(key), word=word,
                                              minimum=minimum))
        return default

    def text_list(self, key: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
        node = self.node(key)
        if node is None or _is_null(node):
            return (), ()
        texts, lines = self.reader.text_list(node, f"{quote(key)}")
        return tuple(texts), tuple(lines)


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def _range(what: str, minimum: float | None, maximum: float | None, value: float) -> str:
    """The message for a number outside its range."""
    if minimum is not None and maximum is not None:
        return _("%(what)s must be between %(minimum)s and %(maximum)s, not %(value)s",
                 what=what, minimum=format(minimum, "g"), maximum=format(maximum, "g"), value=value)
    if minimum is not None:
        return _("%(what)s must be at least %(minimum)s, not %(value)s", what=what,
                 minimum=format(minimum, "g"), value=value)
    return _("%(what)s must be at most %(maximum)s, not %(value)s", what=what,
             maximum=format(maximum, "g"), value=value)
