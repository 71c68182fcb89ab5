"""Content on several servers: the database is the source of truth. A trainer's save on one
server is what the editor on every other server opens; where a server cannot write its content
folder the save is still stored; `lms content export DIR` gives the live versions back as
files, which sync back unchanged."""

from __future__ import annotations

from lms.content.store import record_version
from lms.extensions import db
from lms.learning.catalog import live_item
from lms.models import ContentKind, MediaFile, Role
from tests.factories import make_user
from tests.web.test_author import EDIT, open_editor, trainer_client


def test_export_writes_the_live_versions_and_they_sync_back_unchanged(app, runner,
                                                                      content_copy, tmp_path):
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    module = live_item(ContentKind.MODULE, "pricing-and-packages")
    edited = module.current_version.source.replace("estimated_minutes: 25",
                                                   "estimated_minutes: 35")
    record_version(ContentKind.MODULE, "pricing-and-packages", edited,
                   actor=make_user(Role.TRAINER))
    db.session.commit()
    out = tmp_path / "checkout"
    (out / "content" / "modules").mkdir(parents=True)
    (out / "content" / "modules" / "old-module.md").write_text("---\ntitle: Old\n---\n")

    result = runner.invoke(args=["content", "export", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "content/modules/pricing-and-packages.md").read_text() == edited
    quizzes = sorted(p.name for p in (out / "quizzes").iterdir())
    assert quizzes and all(p.endswith((".yaml", ".yml")) for p in quizzes)
    images = db.session.query(MediaFile).count()
    assert len(list((out / "content/modules/media").iterdir())) == images > 0
    assert "not live  " in result.output and "old-module.md" in result.output
    (out / "content/modules/old-module.md").unlink()

    again = runner.invoke(args=["content", "export", str(out)])
    assert ": 0 written, " in again.output and "written   " not in again.output

    # The exported tree is what the database holds: syncing it changes nothing.
    app.config.update(CONTENT_DIR=str(out / "content"), QUIZ_DIR=str(out / "quizzes"))
    synced = runner.invoke(args=["content", "sync"])
    assert synced.exit_code == 0, synced.output
    assert "created" not in synced.output and "updated" not in synced.output
    assert "retired" not in synced.output


def test_a_save_where_the_folder_cannot_be_written_is_still_stored(app, runner, content_copy,
                                                                  tmp_path):
    client = trainer_client(app, runner)
    text, base_hash, token = open_editor(client)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the content folder should be")
    app.config["CONTENT_DIR"] = str(blocked / "content")
    mine = text.replace("estimated_minutes: 25", "estimated_minutes: 45")
    response = client.post(EDIT, data={"text": mine, "base_hash": base_hash,
                                       "csrf_token": token, "action": "save"},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Saved as version 2." in page and "lms content export DIR" in page
    stored = live_item(ContentKind.MODULE, "pricing-and-packages").current_version.source
    assert "estimated_minutes: 45" in stored
    assert blocked.is_file()
