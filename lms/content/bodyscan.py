"""Find the links and images in a module's Markdown body, with the line each one is on.

Python-Markdown does not keep source positions, so the validator scans the text itself: inline
links and images, reference-style ones, and raw ``<a href>`` / ``<img src>`` tags. Fenced code
blocks and code spans are skipped, since a link shown as code is not a link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:.+?)\1")
_TEXT = r"((?:[^\[\]\\]|\\.|\[[^\[\]]*\])*)"
# (destination "optional title"); the destination may hold one level of balanced parentheses.
_DEST = (r"\(\s*(<[^>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)"
         r"(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)")
_INLINE_IMAGE = re.compile(r"!\[" + _TEXT + r"\]" + _DEST)
_INLINE_LINK = re.compile(r"(?<!!)\[" + _TEXT + r"\]" + _DEST)
_REF_IMAGE = re.compile(r"!\[" + _TEXT + r"\]\s?\[([^\[\]]*)\]")
_REF_DEFINITION = re.compile(r"^ {0,3}\[([^\[\]]+)\]:\s*<?([^\s>]+)>?")
_HTML_TAG = re.compile(r"<(a|img)\b([^>]*)>", re.IGNORECASE)
_HTML_ATTR = re.compile(r"""([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")


@dataclass(frozen=True)
class BodyRef:
    """A link or image: its target, and for images the alt text (None when there is none)."""

    kind: Literal["link", "image"]
    target: str
    line: int
    alt: str | None = None


def scan_body(body: str, first_line: int = 1) -> list[BodyRef]:
    """Links and images in ``body``, whose first line is line ``first_line`` of the file."""
    refs: list[BodyRef] = []
    definitions: dict[str, tuple[str, int]] = {}
    ref_images: list[tuple[str, str, int]] = []
    fence: str | None = None
    for index, raw in enumerate(body.split("\n")):
        line = first_line + index
        opened = _FENCE.match(raw)
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
            continue
        if opened:
            fence = opened.group(1)
            continue
        text = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), raw)
        definition = _REF_DEFINITION.match(text)
        if definition:
            definitions[_label(definition.group(1))] = (definition.group(2), line)
            continue
        for match in _INLINE_IMAGE.finditer(text):
            refs.append(BodyRef("image", _dest(match.group(2)), line, match.group(1)))
        # Blank out images first: an image may sit inside a link's text.
        text = _INLINE_IMAGE.sub(lambda m: " " * len(m.group(0)), text)
        for match in _REF_IMAGE.finditer(text):
            ref_images.append((match.group(1), match.group(2) or match.group(1), line))
        for match in _INLINE_LINK.finditer(text):
            refs.append(BodyRef("link", _dest(match.group(2)), line))
        refs.extend(_html_refs(text, line))
    used_for_images: set[str] = set()
    for alt, label, line in ref_images:
        defined = definitions.get(_label(label))
        if defined is not None:
            used_for_images.add(_label(label))
            refs.append(BodyRef("image", defined[0], line, alt))
    for label, (target, line) in definitions.items():
        if label not in used_for_images:
            refs.append(BodyRef("link", target, line))
    return sorted(refs, key=lambda ref: ref.line)


def _label(label: str) -> str:
    return " ".join(label.split()).casefold()


def _dest(raw: str) -> str:
    return raw[1:-1].strip() if raw.startswith("<") else raw


def _html_refs(text: str, line: int) -> list[BodyRef]:
    refs = []
    for match in _HTML_TAG.finditer(text):
        attrs = {m.group(1).lower(): next(v for v in m.groups()[1:] if v is not None)
                 for m in _HTML_ATTR.finditer(match.group(2))}
        if match.group(1).lower() == "a" and "href" in attrs:
            refs.append(BodyRef("link", attrs["href"], line))
        elif match.group(1).lower() == "img":
            refs.append(BodyRef("image", attrs.get("src", ""), line, attrs.get("alt")))
    return refs
