"""Whose readiness a viewer may see, turned into a ``Scope`` for the report queries.

The policy is lms.security's: managers see the teams they manage and every team below them
(and their direct reports); admins, and the command line, see everyone. A team filter narrows
the scope to that team and the teams below it, and only to a team the viewer may see: any other
team id or name is answered as if it did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from lms.analytics.readiness_sql import Scope
from lms.extensions import db
from lms.models import Role, Team, User
from lms.security import managed_team_ids


class OutOfScope(LookupError):
    """The team does not exist or is not the viewer's to see (views answer 404)."""


@dataclass(frozen=True)
class TeamOption:
    id: int
    name: str
    parent_id: int | None
    depth: int  # 0 for the top teams the viewer sees, 1 below them ...


def _all_teams() -> list[tuple[int, str, int | None, bool]]:
    return [tuple(r) for r in db.session.execute(
        select(Team.id, Team.name, Team.parent_id, Team.active).order_by(Team.name))]


def subtree(team_id: int, parents: dict[int, int | None]) -> set[int]:
    """The team and every team below it (safe against a cycle of parents)."""
    children: dict[int | None, list[int]] = {}
    for tid, parent in parents.items():
        children.setdefault(parent, []).append(tid)
    found, todo = set(), [team_id]
    while todo:
        tid = todo.pop()
        if tid in found:
            continue
        found.add(tid)
        todo.extend(children.get(tid, ()))
    return found


class ViewerScope:
    """The teams a viewer may filter on, and the Scope for a filter (two small queries)."""

    def __init__(self, viewer: User | None) -> None:
        #: None is the command line, which sees everyone.
        self.viewer = viewer
        self.sees_everyone = viewer is None or viewer.has_role(Role.ADMIN)
        teams = _all_teams()
        self._parents = {tid: parent for tid, _, parent, _ in teams}
        self._names = {tid: name for tid, name, _, _ in teams}
        if self.sees_everyone:
            self.allowed = {tid for tid, _, _, active in teams if active}
        else:
            assert viewer is not None
            self.allowed = managed_team_ids(viewer)

    def options(self) -> list[TeamOption]:
        """Teams to filter on, each under its parent, in name order."""
        children: dict[int | None, list[int]] = {}
        for tid in self.allowed:
            parent = self._parents.get(tid)
            children.setdefault(parent if parent in self.allowed else None, []).append(tid)
        out: list[TeamOption] = []

        def walk(parent: int | None, depth: int) -> None:
            for tid in sorted(children.get(parent, ()), key=lambda t: self._names[t].casefold()):
                if any(o.id == tid for o in out):
                    continue
                out.append(TeamOption(tid, self._names[tid], self._parents.get(tid), depth))
                walk(tid, depth + 1)

        walk(None, 0)
        return out

    def team_name(self, team_id: int) -> str:
        return self._names[team_id]

    def scope(self, team_id: int | None = None) -> Scope:
        if team_id is not None:
            if team_id not in self.allowed:
                raise OutOfScope(team_id)
            return Scope(team_ids=frozenset(subtree(team_id, self._parents) & self.allowed
                                            if not self.sees_everyone
                                            else subtree(team_id, self._parents)))
        if self.sees_everyone:
            return Scope(everyone=True)
        assert self.viewer is not None
        return Scope(team_ids=frozenset(self.allowed), manager_id=self.viewer.id)

    def team_id_by_name(self, name: str) -> int:
        """A visible team by its name (case does not matter)."""
        wanted = name.strip().casefold()
        for tid in self.allowed:
            if self._names[tid].casefold() == wanted:
                return tid
        raise OutOfScope(name)

    def person_scope(self, user_id: int) -> Scope:
        """One person, already checked visible with lms.security.get_visible_user_or_404."""
        return Scope(user_ids=frozenset({user_id}))
