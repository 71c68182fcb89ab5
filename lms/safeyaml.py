"""The one way the product reads YAML that a person wrote: presets, quizzes, paths, front matter.

YAML aliases (``*name``) repeat an anchored value without copying its text, so a few hundred
bytes of nested aliases describe billions of values ("billion laughs"); anything that walks or
prints the result then runs out of time or memory. ``compose`` and ``load`` refuse a document
whose aliases would add more than ``ALIAS_BUDGET`` values, or that contains itself, before any
caller sees it. Ordinary anchors (a shared block of settings) stay allowed.
"""

from __future__ import annotations

from typing import Any

import yaml
from flask import has_app_context
from flask_babel import gettext as _

from lms.i18n import format_number

#: How many values aliases may add to a document when expanded. A real quiz or preset that
#: shares a block of settings adds a few dozen; a billion-laughs file needs millions.
ALIAS_BUDGET = 2_000


class YAMLExpansionError(yaml.MarkedYAMLError):
    """The document's aliases expand beyond the budget, or an alias refers to itself."""


def _check_expansion(root: yaml.Node) -> None:
    """Raise YAMLExpansionError when expanding ``root``'s aliases would exceed the budget."""
    sizes: dict[int, int] = {}
    on_stack: set[int] = set()
    distinct: set[int] = set()

    def size(node: yaml.Node) -> int:
        # Values under ``node`` with every alias written out; memoised, so a shared node is
        # measured once however often it is used. What the aliases add is the expanded size
        # less the distinct nodes seen so far (never more than the whole document's excess).
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in on_stack:
            raise YAMLExpansionError(problem=_("an alias refers to a value that contains it"),
                                     problem_mark=node.start_mark)
        distinct.add(key)
        on_stack.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            for child in node.value:
                total += size(child)
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                total += size(k) + size(v)
        on_stack.discard(key)
        sizes[key] = total
        if total - len(distinct) > ALIAS_BUDGET:
            raise YAMLExpansionError(
                problem=_("its aliases (*name) would repeat more than %(budget)s values; write "
                          "the values out instead", budget=_budget()),
                problem_mark=node.start_mark)
        return total

    size(root)


def _budget() -> str:
    """ALIAS_BUDGET as the reader writes numbers (plain outside the app, as in unit tests)."""
    if has_app_context():
        return format_number(ALIAS_BUDGET)
    return f"{ALIAS_BUDGET:,}"


def compose(text: str) -> yaml.Node | None:
    """The node tree of one YAML document (None when empty), checked against alias expansion.
    Raises ``yaml.YAMLError`` (``YAMLExpansionError`` for an expansion) on bad input."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is not None:
        _check_expansion(root)
    return root


def load(text: str) -> Any:
    """``yaml.safe_load`` with the alias check: plain Python values of one YAML document."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        _check_expansion(root)
        return loader.construct_document(root)
    finally:
        loader.dispose()


def quote(value: object, limit: int = 60) -> str:
    """``value`` in single quotes for a message, cut to ``limit`` characters: error messages
    quote what a person wrote, and what they wrote may be a megabyte long."""
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"'{text}'"
