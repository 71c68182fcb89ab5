"""Two app servers against one database (PostgreSQL in CI's second run): a trainer's save on
one is what a learner reads on the other at once, and what the editor on the other opens."""

from __future__ import annotations

import html
import re

from lms.extensions import db
from lms.learning.assignments import assign
from lms.learning.catalog import live_item
from lms.models import ContentKind, Role
from tests.factories import make_user
from tests.learning_helpers import sync, write_practice
from tests.web.test_concurrency import gunicorn_server, logged_in

EDIT = "/author/modules/practice-module/edit"


def test_a_save_on_one_server_is_what_the_other_serves(app, content_copy, database_url,
                                                       tmp_path):
    write_practice(content_copy)
    sync(content_copy)
    make_user(Role.TRAINER, email="trainer@example.com")
    learner = make_user(Role.LEARNER, email="learner@example.com")
    assign(learner, live_item(ContentKind.MODULE, "practice-module"))
    db.session.commit()
    with gunicorn_server(app, database_url, tmp_path / "a", workers=1) as one, \
            gunicorn_server(app, database_url, tmp_path / "b", workers=1) as other:
        reader = logged_in(other, "learner@example.com")
        assert "Objection handling, server two" not in reader.get("/learn/modules/"
                                                                 "practice-module")
        trainer = logged_in(one, "trainer@example.com")
        page = trainer.get(EDIT)
        text = html.unescape(re.search(r"<textarea[^>]*>\r?\n?(.*?)</textarea>", page,
                                       re.S).group(1))
        base_hash = re.search(r'name="base_hash" type="hidden" value="([0-9a-f]+)"',
                              page).group(1)
        edited = text.rstrip("\n") + "\n\n## Objection handling, server two\n\nListen first.\n"
        status, _ = trainer.post(EDIT, {"text": edited, "base_hash": base_hash,
                                        "csrf_token": trainer.token(EDIT), "action": "save"})
        assert status == 302
        # The other server serves the new version at once: no sync, no restart.
        assert "Objection handling, server two" in reader.get("/learn/modules/practice-module")
        # And its editor opens the new version, so a colleague there cannot overwrite it.
        colleague = logged_in(other, "trainer@example.com")
        assert "Objection handling, server two" in html.unescape(colleague.get(EDIT))
