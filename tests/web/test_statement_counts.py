"""The learner's pages run a fixed number of SQL statements, whatever the number of their
assignments, paths and modules: the dashboard used to load each item's version one lazy load
at a time (22 statements for one assignment, more with every path)."""

from __future__ import annotations

from lms.extensions import db
from lms.learning.assignments import assign
from lms.learning.catalog import current_doc, live_items
from lms.models import ContentKind, Role
from tests.conftest import REPO, login
from tests.factories import make_user
from tests.impact_helpers import statements
from tests.learning_helpers import sync


def _count(app, email: str, url: str) -> int:
    client = app.test_client()
    login(client, email)
    client.get(url)  # a first view may fill caches
    with statements() as seen:
        assert client.get(url).status_code == 200
    return len(seen)


def test_learner_pages_do_not_grow_with_assignments(app):
    sync(REPO)
    open_modules = sorted((m for m in live_items(ContentKind.MODULE).values()
                           if not current_doc(m).prerequisites), key=lambda m: m.slug)
    paths = sorted(live_items(ContentKind.PATH).values(), key=lambda p: p.slug)
    assert len(open_modules) >= 2 and len(paths) >= 2
    assign(make_user(Role.LEARNER, email="one@example.com"), open_modules[0])
    many = make_user(Role.LEARNER, email="many@example.com")
    for item in (*open_modules, *paths):
        assign(many, item)
    db.session.commit()
    for url in ("/learn/", f"/learn/modules/{open_modules[0].slug}",
                f"/learn/paths/{paths[0].slug}", "/learn/goals/"):
        one, lots = _count(app, "one@example.com", url), _count(app, "many@example.com", url)
        assert one == lots, f"{url}: {one} statements with one assignment, {lots} with many"
    assert _count(app, "many@example.com", "/learn/") <= 14
