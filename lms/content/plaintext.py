"""Markdown as plain text, for places that cannot show HTML (a table cell, a mail's text)."""

from __future__ import annotations

import re


def plain_excerpt(markdown: str, length: int) -> str:
    """The start of ``markdown`` as plain text: Markdown marks and links' targets dropped,
    cut at ``length`` characters with an ellipsis."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"[*_`#>|]+", "", text)
    text = " ".join(text.split())
    return text if len(text) <= length else text[:length - 1].rstrip(" .,;:") + "…"
