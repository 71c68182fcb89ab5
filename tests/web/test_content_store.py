"""Content enters the database as immutable versions keyed by content hash."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from lms.content.store import Change, record_version, sync_content
from lms.extensions import db
from lms.models import ContentItem, ContentKind, ContentVersion, MediaFile, Rubric, RubricVersion


def sync(root: Path):  # noqa: ANN201
    report = sync_content(root / "content" / "modules", root / "quizzes",
                          root / "content" / "paths",
                          ("product-knowledge", "customer-demographics"))
    db.session.commit()
    return report


def versions() -> int:
    return db.session.scalar(select(func.count()).select_from(ContentVersion))


def item(kind: ContentKind, slug: str) -> ContentItem:
    return db.session.scalar(select(ContentItem).where(ContentItem.kind == kind.value,
                                                       ContentItem.slug == slug))


def test_first_sync_stores_every_file_and_image(content_copy):
    report = sync(content_copy)
    # 20 originals and the 15 files of the Dutch onboarding path, each its own version.
    assert report.count(Change.CREATED) == 35 and not report.skipped
    assert versions() == 35
    assert db.session.scalar(select(func.count()).select_from(MediaFile)) == 3
    module = item(ContentKind.MODULE, "pricing-and-packages")
    assert module.current_version.title == "Pricing and packages"
    assert module.current_version.source == \
        (content_copy / "content/modules/pricing-and-packages.md").read_text()


def test_unchanged_files_create_nothing(content_copy):
    sync(content_copy)
    report = sync(content_copy)
    assert report.count(Change.UNCHANGED) == 35 and versions() == 35


def test_a_changed_file_gets_a_new_version_and_the_old_one_stays(content_copy):
    sync(content_copy)
    path = content_copy / "quizzes" / "buying-committees.yaml"
    old = path.read_text()
    path.write_text(old.replace("pass_mark: 75", "pass_mark: 80"))
    report = sync(content_copy)
    assert report.changes[Change.UPDATED] == ["quiz:buying-committees"]
    quiz = item(ContentKind.QUIZ, "buying-committees")
    assert [v.number for v in quiz.versions] == [1, 2]
    assert quiz.current_version.number == 2
    assert quiz.versions[0].source == old  # history kept, untouched

    # Going back to the old text points at the old version instead of copying it.
    path.write_text(old)
    report = sync(content_copy)
    assert report.changes[Change.REVERTED] == ["quiz:buying-committees"]
    assert item(ContentKind.QUIZ, "buying-committees").current_version.number == 1
    assert versions() == 36


def test_line_ends_do_not_make_a_new_version(content_copy):
    sync(content_copy)
    path = content_copy / "content/paths/customer-insight.yaml"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert sync(content_copy).count(Change.UNCHANGED) == 35


def test_a_deleted_file_retires_its_item_and_keeps_history(content_copy):
    sync(content_copy)
    (content_copy / "content/paths/customer-insight.yaml").unlink()
    report = sync(content_copy)
    assert report.retired == ["path:customer-insight"]
    path = item(ContentKind.PATH, "customer-insight")
    assert path.retired_at is not None and path.current_version is not None
    assert versions() == 35


def test_a_renamed_file_is_a_new_item_and_the_old_one_retires(content_copy):
    sync(content_copy)
    folder = content_copy / "content/paths"
    (folder / "customer-insight.yaml").rename(folder / "customer-knowledge.yaml")
    report = sync(content_copy)
    assert report.changes[Change.CREATED] == ["path:customer-knowledge"]
    assert report.retired == ["path:customer-insight"]
    # Moving it back restores the retired item with its history.
    (folder / "customer-knowledge.yaml").rename(folder / "customer-insight.yaml")
    report = sync(content_copy)
    assert report.changes[Change.RESTORED] == ["path:customer-insight"]
    assert item(ContentKind.PATH, "customer-insight").retired_at is None


def test_a_file_with_errors_is_skipped_and_the_last_good_version_stays(content_copy):
    sync(content_copy)
    path = content_copy / "quizzes" / "objection-handling.yaml"
    path.write_text(path.read_text().replace("pass_mark: 75", "pass_mark: 175"))
    report = sync(content_copy)
    assert [p.path for p in report.skipped] == [str(path)]
    assert "pass_mark" in report.skipped[0].message
    quiz = item(ContentKind.QUIZ, "objection-handling")
    assert quiz.current_version.number == 1 and quiz.retired_at is None


def test_a_missing_folder_retires_nothing(content_copy):
    sync(content_copy)
    (content_copy / "quizzes").rename(content_copy / "quizzes-elsewhere")
    report = sync(content_copy)
    assert report.retired == []
    assert any(p.message == "quiz folder not found" for p in report.skipped)


def test_changed_and_deleted_images(content_copy):
    sync(content_copy)
    media = content_copy / "content/modules/media"
    (media / "follow-up-timeline.svg").write_text(
        (media / "follow-up-timeline.svg").read_text().replace("Day", "Dag"))
    report = sync(content_copy)
    assert report.media == {"added": 0, "updated": 1, "retired": 0}


def test_record_version_from_the_editor_records_who_saved(app):
    from tests.factories import make_user

    trainer = make_user("trainer")
    version, change = record_version(ContentKind.PATH, "x", "title: X\nmodules: [a]\n",
                                     actor=trainer)
    assert change is Change.CREATED and version.created_by == trainer and version.number == 1
    again, change = record_version(ContentKind.PATH, "x", "title: X\r\nmodules: [a]\r\n")
    assert change is Change.UNCHANGED and again.id == version.id


def test_cli_sync(runner, content_copy):
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 0, result.output
    assert "Content synced: 36 created, images: 3 added." in result.output
    assert "  created   rubric:sales-conversations\n" in result.output
    result = runner.invoke(args=["content", "sync"])
    assert "Content synced: 36 unchanged." in result.output

    bad = content_copy / "content/modules/objection-handling.md"
    bad.write_text(bad.read_text().replace("category: product-knowledge", "category: gossip"))
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 1
    assert "objection-handling.md:3: unknown category 'gossip'" in result.output


def test_cli_sync_versions_rubrics_and_keeps_a_broken_one_at_its_last_version(runner,
                                                                              content_copy):
    rubric = content_copy / "content/rubrics/sales-conversations.yaml"
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    rubric.write_text(rubric.read_text().replace("name: Closing", "name: Closing the deal"))
    result = runner.invoke(args=["content", "sync"])
    assert "  updated   rubric:sales-conversations\n" in result.output
    versions = db.session.scalars(select(RubricVersion).order_by(RubricVersion.number)).all()
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].data["skills"][3]["name"] == "Closing the deal"
    assert versions[1].data["translations"]["nl"]["skills"][3]["name"] == "Afsluiten"
    rubric.write_text(rubric.read_text().replace("  - id: value", "  - id: discovery"))
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 1
    assert "skill id 'discovery' appears twice" in result.output
    db.session.expire_all()
    current = db.session.scalar(select(Rubric))
    assert current.current_version_id == versions[1].id and current.retired_at is None
