"""The one stylesheet stays well formed: every block closed where it opens.

Sections appended by separate branches once lost the closing brace of their phone-only
``@media`` block in a merge, so every rule after it (follow-ups, My results) applied on phones
only: nothing a person on a desktop would notice as broken, just wrong."""

from __future__ import annotations

import re
from pathlib import Path

CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "app.css"


def _blocks(text: str) -> list[tuple[int, int]]:
    """(line, depth after it) for every line, comments and strings left out."""
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group().count("\n"), text, flags=re.S)
    text = re.sub(r'"[^"\n]*"|\'[^\'\n]*\'', '""', text)
    depth, out = 0, []
    for number, line in enumerate(text.splitlines(), start=1):
        depth += line.count("{") - line.count("}")
        out.append((number, depth))
    return out


def test_every_block_is_closed_and_none_closes_twice() -> None:
    depths = _blocks(CSS.read_text(encoding="utf-8"))
    assert all(depth >= 0 for _line, depth in depths), "a '}' closes nothing"
    assert depths[-1][1] == 0, "a block is never closed"


def test_a_media_block_holds_rules_not_further_media_blocks() -> None:
    """A media block left open swallows the next section, whose own ``@media`` then opens at
    depth 2: no block of this stylesheet nests media queries."""
    text = CSS.read_text(encoding="utf-8")
    depth_before = dict(_blocks(text))
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("@media"):
            assert depth_before.get(number - 1, 0) == 0, f"@media inside a block at line {number}"
