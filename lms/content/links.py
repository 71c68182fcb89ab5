"""What a link or image target in a module points at: another module, a media file, or elsewhere.

Shared by the renderer (which rewrites them to site URLs) and the validator (which reports the ones
that point at nothing), so both read a target the same way.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import unquote

SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_MAX_LENGTH = 80
IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"})

# `other.md` or `./other.md`, optionally `#anchor`: the form that also works in a git viewer.
_MODULE_LINK = re.compile(r"^(?:\./)?(?P<name>[^/\\#?:]+)\.md(?:#(?P<anchor>[^#]*))?$")
# Anything else ending in .md: a module link in a form the site cannot resolve.
_MD_TARGET = re.compile(r"\.md(?:#[^#]*)?$", re.IGNORECASE)
_MEDIA = re.compile(r"^(?:\./)?media/(?P<name>[^/\\?#]+)$")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


class ModuleLink(NamedTuple):
    slug: str
    anchor: str | None


def is_valid_slug(slug: str) -> bool:
    return len(slug) <= SLUG_MAX_LENGTH and bool(SLUG_PATTERN.fullmatch(slug))


def is_external(target: str) -> bool:
    """True for targets with a scheme (http:, mailto: ...) or a host (//example.com)."""
    return target.startswith("//") or bool(_SCHEME.match(target))


def module_link(target: str) -> ModuleLink | None:
    """The module a relative ``slug.md[#anchor]`` link names, else None."""
    if is_external(target):
        return None
    match = _MODULE_LINK.match(target)
    if match is None:
        return None
    anchor = match["anchor"]
    return ModuleLink(unquote(match["name"]), unquote(anchor) if anchor else None)


def looks_like_module_link(target: str) -> bool:
    """True for relative targets ending in ``.md`` (whether or not the site can resolve them)."""
    return not is_external(target) and bool(_MD_TARGET.search(target))


def media_name(target: str) -> str | None:
    """The file name a ``media/<file>`` image target names, else None."""
    match = _MEDIA.match(target)
    if match is None:
        return None
    name = unquote(match["name"])
    return None if name in ("", ".", "..") else name


def is_image_file(name: str) -> bool:
    dot = name.rfind(".")
    return dot > 0 and name[dot:].lower() in IMAGE_EXTENSIONS
