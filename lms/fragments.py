"""Rendered rows of report tables, kept as long as the cached report they show.

A cached report (readiness, sales performance) is the same object on every view until its data
changes, so the rows of its table for one sort order and page are the same HTML too; rendering
them costs more than everything else on the page. The HTML is kept beside the report object,
keyed by what else the rows depend on (sort, page, filters), and goes when the report does.
Nothing personal may go into a fragment: no CSRF token, nothing that depends on the viewer
beyond the report's own scope.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable

from markupsafe import Markup

#: per report: at most this many sort orders, filters and pages
MAX_PER_REPORT = 64

_lock = threading.Lock()
#: id(owner) -> (the owner, {key: (html, the other objects it showed)})
_by_owner: dict[int, tuple[weakref.ref, dict[Hashable, tuple[str, tuple]]]] = {}


def _forget(ident: int) -> Callable[[weakref.ref], None]:
    def forget(_ref: weakref.ref) -> None:
        with _lock:
            _by_owner.pop(ident, None)
    return forget


def _same(refs: tuple, objects: tuple) -> bool:
    if len(refs) != len(objects):
        return False
    return all((r is None and o is None) or (r is not None and r() is o)
               for r, o in zip(refs, objects, strict=True))


def rendered(owner: object, key: Hashable, render: Callable[[], str], *,
             also: tuple = ()) -> Markup:
    """``render()``, or what it gave before for this owner and key, while the objects in
    ``also`` (other cached results the HTML shows, or None) are still the same ones."""
    ident = id(owner)
    with _lock:
        entry = _by_owner.get(ident)
        if entry is None or entry[0]() is not owner:
            entry = (weakref.ref(owner, _forget(ident)), {})
            _by_owner[ident] = entry
        hit = entry[1].get(key)
    if hit is not None and _same(hit[1], also):
        return Markup(hit[0])
    html = render()
    refs = tuple(None if o is None else weakref.ref(o) for o in also)
    with _lock:
        if len(entry[1]) >= MAX_PER_REPORT:
            entry[1].clear()
        entry[1][key] = (html, refs)
    return Markup(html)
