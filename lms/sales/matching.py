"""Which person a deal belongs to: the CRM's owner matched by email, CRM id alias or CRM name
alias (compared with ``alias_key``). A deal whose owner matches nobody is kept with no person
and linked by ``link_unmatched_sales`` when someone with that email or alias appears.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update

from lms.extensions import db
from lms.models import AliasKind, Sale, User, UserAlias, alias_key
from lms.sales.validation import owner_label


@dataclass(frozen=True)
class OwnerCount:
    """A CRM owner that matches no person, and how many deals they have."""

    email: str | None
    crm_id: str | None
    name: str | None
    rows: int

    @property
    def label(self) -> str:
        return owner_label(self.email, self.crm_id, self.name)


class OwnerIndex:
    """Every person's email and CRM aliases, loaded once per import (two queries)."""

    CACHE_LIMIT = 100_000

    def __init__(self, by_email: dict[str, int], by_crm_id: dict[str, int],
                 by_name: dict[str, int]) -> None:
        self.by_email = by_email
        self.by_crm_id = by_crm_id
        self.by_name = by_name
        self._cache: dict[tuple[str | None, str | None, str | None], int | None] = {}

    @classmethod
    def load(cls) -> OwnerIndex:
        by_email = {email.lower(): uid for uid, email in db.session.execute(
            select(User.id, User.email))}
        by_crm_id: dict[str, int] = {}
        by_name: dict[str, int] = {}
        for uid, kind, key in db.session.execute(
                select(UserAlias.user_id, UserAlias.kind, UserAlias.value_key)):
            (by_crm_id if kind == AliasKind.CRM_ID.value else by_name)[key] = uid
        return cls(by_email, by_crm_id, by_name)

    def match(self, email: str | None, crm_id: str | None, name: str | None) -> int | None:
        """The person's id: the email decides first, then the CRM id, then the CRM name."""
        key = (email, crm_id, name)
        try:
            return self._cache[key]
        except KeyError:
            pass
        user_id = None
        if email:
            user_id = self.by_email.get(email.lower())
        if user_id is None and crm_id:
            user_id = self.by_crm_id.get(alias_key(crm_id))
        if user_id is None and name:
            user_id = self.by_name.get(alias_key(name))
        if len(self._cache) < self.CACHE_LIMIT:
            self._cache[key] = user_id
        return user_id


def link_unmatched_sales(user: User) -> int:
    """Give ``user`` the deals that matched nobody and whose owner is this person's email, CRM
    id or CRM name. Called when a person is created or changed; flushes nothing else. Returns
    the number of deals linked."""
    linked = 0

    def link(condition) -> None:  # noqa: ANN001 - a SQL expression
        nonlocal linked
        result = db.session.execute(
            update(Sale).where(Sale.user_id.is_(None), condition).values(user_id=user.id)
            .execution_options(synchronize_session=False))
        linked += result.rowcount or 0

    if user.email:
        link(Sale.owner_email == user.email.lower())
    for kind, column in ((AliasKind.CRM_ID, Sale.owner_crm_id),
                         (AliasKind.CRM_NAME, Sale.owner_name)):
        keys = {alias_key(v) for v in user.alias_values(kind)}
        if not keys:
            continue
        # The CRM's spelling varies ("anna  de vries"); compare in Python with alias_key, over
        # the distinct owners of unmatched deals only (a handful, found by the index).
        spellings = [v for v in db.session.scalars(
            select(column).where(Sale.user_id.is_(None), column.is_not(None)).distinct())
            if alias_key(v) in keys]
        if spellings:
            link(column.in_(spellings))
    return linked


def unmatched_owners(limit: int = 100) -> list[OwnerCount]:
    """The owners of deals linked to nobody, most deals first (one aggregate query)."""
    count = func.count().label("deals")
    rows = db.session.execute(
        select(Sale.owner_email, Sale.owner_crm_id, Sale.owner_name, count)
        .where(Sale.user_id.is_(None))
        .group_by(Sale.owner_email, Sale.owner_crm_id, Sale.owner_name)
        .order_by(count.desc(), Sale.owner_name).limit(limit))
    return [OwnerCount(*row) for row in rows]
