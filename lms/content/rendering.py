"""Render a module's (or a quiz text's) Markdown to safe HTML with a table of contents.

Trainers' Markdown may hold raw HTML, so the output is sanitised with nh3 against an explicit
allow-list: no scripts, styles, event attributes or script URLs; images only from the media
folder. Links to ``other-module.md`` and images at ``media/<file>`` are rewritten to site URLs
by the resolvers the caller passes in. Results are cached by content hash and resolvers.
"""

from __future__ import annotations

import html
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import markdown
import nh3

from lms.content.links import media_name, module_link
from lms.content.parsing import content_hash

ModuleUrl = Callable[[str, str | None], str]
MediaUrl = Callable[[str], str]

EXTENSIONS = ["toc", "tables", "fenced_code", "admonition", "sane_lists", "attr_list"]
# Tables mark alignment with an `align` attribute, since `style` is never allowed.
EXTENSION_CONFIGS: dict[str, dict[str, Any]] = {"tables": {"use_align_attribute": True}}
TOC_LEVELS = (2, 3)

ALLOWED_TAGS = frozenset({
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "li", "table", "thead", "tbody", "tr",
    "th", "td", "pre", "code", "blockquote", "a", "img", "em", "strong", "hr", "br", "div", "span",
})
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "div": {"class"},
    "p": {"class"},
    "code": {"class"},
    "ol": {"start"},
    **{f"h{level}": {"id"} for level in range(1, 7)},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
ADMONITION_KINDS = frozenset({
    "note", "tip", "hint", "important", "info", "warning", "caution", "attention", "danger",
    "error",
})
_ALIGN = frozenset({"left", "right", "center"})
_LANGUAGE_CLASS = re.compile(r"^language-[A-Za-z0-9_+#.-]{1,40}$")
_PROBE = "probe.png"
# nh3 serialises every attribute as name="value" with quotes escaped, so tags match reliably.
_TAG = re.compile(r'<(a|img)((?:\s+[^\s=>]+(?:="[^"]*")?)*)\s*/?>')
_HREF = re.compile(r'\shref="([^"]*)"')
_EXTERNAL = re.compile(r"^(https?:)?//", re.IGNORECASE)


class TocEntry(NamedTuple):
    level: int
    id: str
    title: str


@dataclass(frozen=True)
class Rendered:
    html: str
    #: headings of levels 2 and 3, in document order
    toc: tuple[TocEntry, ...]


def render_markdown(text: str, *, module_url: ModuleUrl, media_url: MediaUrl) -> Rendered:
    """Markdown to sanitised HTML plus its table of contents.

    ``module_url(slug, anchor)`` and ``media_url(file_name)`` build site URLs. Pass the same
    callables each time (module-level functions, not fresh lambdas) so the cache can hit.
    """
    return _CACHE.get_or_render(text, module_url, media_url)


def _render(text: str, module_url: ModuleUrl, media_url: MediaUrl) -> Rendered:
    # A Markdown instance keeps state between calls and is not thread-safe: one per render.
    md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    raw_html = md.convert(text)
    toc = tuple(_flatten(md.toc_tokens))  # type: ignore[attr-defined]
    return Rendered(sanitise(raw_html, module_url=module_url, media_url=media_url), toc)


def heading_ids(text: str) -> frozenset[str]:
    """The anchors of every heading in a module's Markdown (for checking ``other.md#anchor``)."""
    md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    md.convert(text)

    def ids(tokens: list[dict[str, Any]]) -> list[str]:
        return [i for t in tokens for i in (t["id"], *ids(t["children"]))]

    return frozenset(ids(md.toc_tokens))  # type: ignore[attr-defined]


def _flatten(tokens: list[dict[str, Any]]) -> list[TocEntry]:
    entries = []
    for token in tokens:
        if TOC_LEVELS[0] <= token["level"] <= TOC_LEVELS[-1]:
            entries.append(TocEntry(token["level"], token["id"], html.unescape(token["name"])))
        entries.extend(_flatten(token["children"]))
    return entries


def sanitise(raw_html: str, *, module_url: ModuleUrl, media_url: MediaUrl) -> str:
    """Clean HTML against the allow-list, rewriting module links and media images on the way."""
    probe = media_url(_PROBE)
    at = probe.find(_PROBE)
    media_prefix = probe[:at] if at > 0 else None

    failures: list[Exception] = []

    def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
        try:
            return _filter(tag, attribute, value)
        except Exception as exc:  # re-raised below: nh3 would only log it and drop the attribute
            failures.append(exc)
            return None

    def _filter(tag: str, attribute: str, value: str) -> str | None:
        if tag == "a" and attribute == "href":
            link = module_link(value)
            return module_url(link.slug, link.anchor) if link else value
        if tag == "img" and attribute == "src":
            name = media_name(value)
            if name is not None:
                return media_url(name)
            return value if _is_media_url(value, media_prefix) else None
        if attribute == "class":
            return _allowed_classes(tag, value)
        if attribute == "align":
            return value if value.lower() in _ALIGN else None
        if attribute == "start":
            return value if value.isdigit() else None
        return value

    cleaned = nh3.clean(
        raw_html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=attribute_filter,
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
    )
    if failures:
        raise failures[0]
    return _TAG.sub(_finish_tag, cleaned)


def _is_media_url(value: str, prefix: str | None) -> bool:
    # Only a plain file name under the media URL: no way to reach other pages of the site.
    if not prefix or not value.startswith(prefix):
        return False
    rest = value[len(prefix):]
    return bool(rest) and not any(c in rest for c in "/\\?#") and rest not in (".", "..")


def _allowed_classes(tag: str, value: str) -> str | None:
    classes = value.split()
    if tag == "div":
        kept = [c for c in classes if c == "admonition" or c in ADMONITION_KINDS]
    elif tag == "p":
        kept = [c for c in classes if c == "admonition-title"]
    elif tag == "code":
        kept = [c for c in classes if _LANGUAGE_CLASS.match(c)]
    else:
        kept = []
    return " ".join(kept) or None


def _finish_tag(match: re.Match[str]) -> str:
    tag, attributes = match.group(1), match.group(2)
    if tag == "img":
        # The filter removed the src of images from elsewhere: drop those images entirely.
        return match.group(0) if ' src="' in attributes else ""
    href = _HREF.search(attributes)
    if href and _EXTERNAL.match(html.unescape(href.group(1))):
        return f'<a{attributes} rel="noopener noreferrer">'
    return match.group(0)


class _RenderCache:
    """A small, thread-safe LRU of rendered results keyed by content hash and resolvers."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, object, object], Rendered] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_render(self, text: str, module_url: ModuleUrl, media_url: MediaUrl) -> Rendered:
        key = (content_hash(text), module_url, media_url)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        rendered = _render(text.replace("\r\n", "\n"), module_url, media_url)
        with self._lock:
            self._items[key] = rendered
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
            # Two threads may render the same text at once; both get an equal result.
            return self._items[key]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_CACHE = _RenderCache()
clear_render_cache = _CACHE.clear


def without_title_heading(body: str, title: str) -> str:
    """The body minus a first ``# Title`` line that repeats the module's title: the page
    already shows the title as its heading, and one page should have one ``h1``."""
    lines = body.lstrip("\n").split("\n", 1)
    first = lines[0].strip()
    if first.startswith("# ") and first[2:].strip().casefold() == title.strip().casefold():
        return lines[1] if len(lines) > 1 else ""
    return body
