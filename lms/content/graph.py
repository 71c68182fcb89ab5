"""Cycles in the prerequisite graph: a module that (through others) requires itself."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence


def cycle_through(start: str, graph: Mapping[str, Sequence[str]]) -> list[str] | None:
    """The shortest cycle from ``start`` back to itself, as ``[start, ..., start]``, or None.

    ``graph`` maps a module to its prerequisites; slugs missing from it have none. Breadth-first
    search gives the shortest cycle, which is the clearest one to show an author.
    """
    came_from: dict[str, str] = {}
    queue: deque[str] = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in graph.get(node, ()):
            if nxt == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [start, *reversed(path[:-1]), start]
            if nxt not in came_from:
                came_from[nxt] = node
                queue.append(nxt)
    return None
