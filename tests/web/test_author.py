"""The trainer's editor: preview, inline problems, saving as a file and a version, refusing to
overwrite someone else's change, new modules, history and diffs."""

from __future__ import annotations

import re

from sqlalchemy import select

from lms.content.parsing import content_hash
from lms.content.store import record_version
from lms.extensions import db
from lms.models import ContentItem, ContentKind, Role
from tests.conftest import csrf_from, login
from tests.factories import make_user

EDIT = "/author/modules/pricing-and-packages/edit"


def trainer_client(app, runner):  # noqa: ANN001, ANN201
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    make_user(Role.TRAINER, email="t@example.com", name="Tess Trainer")
    client = app.test_client()
    login(client, "t@example.com")
    return client


def open_editor(client, url: str = EDIT) -> tuple[str, str, str]:  # noqa: ANN001
    page = client.get(url).get_data(as_text=True)
    base_hash = re.search(r'id="base_hash" name="base_hash" type="hidden" value="([0-9a-f]+)"',
                          page).group(1)
    text = re.search(r'<textarea[^>]*>\r?\n?(.*?)</textarea>', page, re.S).group(1)
    import html

    return html.unescape(text), base_hash, csrf_from(page)


def module_file(content_copy):  # noqa: ANN001, ANN201
    return content_copy / "content/modules/pricing-and-packages.md"


def test_editor_opens_with_the_file_and_a_preview(app, runner, content_copy):
    client = trainer_client(app, runner)
    text, base_hash, _ = open_editor(client)
    assert text == module_file(content_copy).read_text()
    assert base_hash == content_hash(text)
    page = client.get(EDIT).get_data(as_text=True)
    assert "No problems found." in page
    assert '<h2 id="three-ways-to-pay">' in page or "Three ways to pay" in page


def test_save_writes_the_file_and_records_a_version_by_the_trainer(app, runner, content_copy):
    client = trainer_client(app, runner)
    text, base_hash, token = open_editor(client)
    new_text = text.replace("estimated_minutes: 25", "estimated_minutes: 30")
    response = client.post(EDIT, data={"text": new_text, "base_hash": base_hash,
                                       "csrf_token": token, "action": "save"})
    assert response.status_code == 302
    assert "estimated_minutes: 30" in module_file(content_copy).read_text()
    item = db.session.scalar(select(ContentItem).where(ContentItem.slug == "pricing-and-packages",
                                                       ContentItem.kind == "module"))
    assert item.current_version.number == 2
    assert item.current_version.created_by.name == "Tess Trainer"
    assert "Saved as version 2." in client.get(EDIT).get_data(as_text=True)


def test_invalid_text_is_not_saved_and_the_problems_show_inline(app, runner, content_copy):
    client = trainer_client(app, runner)
    text, base_hash, token = open_editor(client)
    before = module_file(content_copy).read_text()
    broken = text.replace("category: product-knowledge", "category: gossip")
    response = client.post(EDIT, data={"text": broken, "base_hash": base_hash,
                                       "csrf_token": token, "action": "save"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Not saved: 1 error to fix first." in page
    assert "Line 3</button>: unknown category &#39;gossip&#39;" in page
    assert "category: gossip" in page  # the trainer's text is kept in the editor
    assert module_file(content_copy).read_text() == before


def test_a_save_over_someone_elses_change_is_refused(app, runner, content_copy):
    client = trainer_client(app, runner)
    text, base_hash, token = open_editor(client)
    # Meanwhile a colleague saves a change in another browser, on another app server: the
    # database holds it (that server's own file is not this one's).
    theirs = text.replace("estimated_minutes: 25", "estimated_minutes: 40")
    colleague = make_user(Role.TRAINER, email="colleague@example.com")
    record_version(ContentKind.MODULE, "pricing-and-packages", theirs, actor=colleague)
    db.session.commit()

    mine = text.replace("estimated_minutes: 25", "estimated_minutes: 20")
    response = client.post(EDIT, data={"text": mine, "base_hash": base_hash,
                                       "csrf_token": token, "action": "save"})
    page = response.get_data(as_text=True)
    assert "Not saved: someone else changed this file" in page
    assert "estimated_minutes: 40" in page and "estimated_minutes: 20" in page
    assert "estimated_minutes: 25" in module_file(content_copy).read_text()  # nothing written

    # Having seen the difference, saving again is a deliberate overwrite.
    new_base = re.search(r'name="base_hash" type="hidden" value="([0-9a-f]+)"', page).group(1)
    assert new_base == content_hash(theirs)
    response = client.post(EDIT, data={"text": mine, "base_hash": new_base,
                                       "csrf_token": token, "action": "save"})
    assert response.status_code == 302
    assert "estimated_minutes: 20" in module_file(content_copy).read_text()


def test_a_file_changed_on_disk_but_not_synced_is_not_what_the_editor_opens(
        app, runner, content_copy):  # noqa: ANN001
    """The database is the source of truth: every server's editor opens the stored version,
    whatever one server's folder holds; files enter through `lms content sync`."""
    client = trainer_client(app, runner)
    stored, base_hash, token = open_editor(client)
    module_file(content_copy).write_text(stored.replace("estimated_minutes: 25",
                                                        "estimated_minutes: 99"))
    again, again_hash, _ = open_editor(client)
    assert again == stored and again_hash == base_hash
    mine = stored.replace("estimated_minutes: 25", "estimated_minutes: 30")
    response = client.post(EDIT, data={"text": mine, "base_hash": base_hash,
                                       "csrf_token": token, "action": "save"})
    assert response.status_code == 302  # no conflict with an unsynced file
    assert "estimated_minutes: 30" in module_file(content_copy).read_text()


def test_live_preview_renders_sanitised_html_and_problems(app, runner, content_copy):
    client = trainer_client(app, runner)
    text, base_hash, token = open_editor(client)
    hostile = text + "\n<script>alert(1)</script>\n<a href=\"javascript:alert(2)\">x</a>\n" \
        "<img src=x onerror=alert(3)>\n[gone](no-such-module.md)\n"
    response = client.post("/author/modules/pricing-and-packages/preview",
                           data={"text": hostile, "base_hash": base_hash},
                           headers={"X-CSRFToken": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html
    assert "link to module &#39;no-such-module&#39;" in html
    assert client.post("/author/modules/pricing-and-packages/preview",
                       data={"text": "x"}).status_code == 400


def test_preview_without_javascript(app, runner, content_copy):
    client = trainer_client(app, runner)
    text, base_hash, token = open_editor(client)
    response = client.post(EDIT, data={"text": text.replace("# Pricing and packages",
                                                            "# Prices and packages"),
                                       "base_hash": base_hash, "csrf_token": token,
                                       "action": "preview"})
    page = response.get_data(as_text=True)
    assert "Prices and packages" in page
    assert "Prices and packages" not in module_file(content_copy).read_text()


def test_quiz_editor_checks_quiz_rules(app, runner, content_copy):
    client = trainer_client(app, runner)
    url = "/author/quizzes/buying-committees/edit"
    text, base_hash, token = open_editor(client, url)
    broken = text.replace("pass_mark: 75", "pass_mark: 175")
    response = client.post(url, data={"text": broken, "base_hash": base_hash,
                                      "csrf_token": token, "action": "save"})
    assert "pass_mark" in response.get_data(as_text=True)
    assert "pass_mark: 75" in (content_copy / "quizzes/buying-committees.yaml").read_text()


def test_new_module_from_the_template(app, runner, content_copy):
    client = trainer_client(app, runner)
    page = client.get("/author/modules/new").get_data(as_text=True)
    response = client.post("/author/modules/new", data={
        "csrf_token": csrf_from(page), "title": "Service contracts", "slug": "service-contracts",
        "category": "product-knowledge", "summary": "What Care Basic, Plus and Premium cover."})
    assert response.headers["Location"] == "/author/modules/service-contracts/edit"
    created = content_copy / "content/modules/service-contracts.md"
    assert 'title: "Service contracts"' in created.read_text()
    assert "No problems found." in client.get("/author/modules/service-contracts/edit") \
        .get_data(as_text=True)

    response = client.post("/author/modules/new", data={
        "csrf_token": csrf_from(page), "title": "Again", "slug": "service-contracts",
        "category": "product-knowledge", "summary": "x"})
    assert "already exists" in response.get_data(as_text=True)
    response = client.post("/author/modules/new", data={
        "csrf_token": csrf_from(page), "title": "Bad", "slug": "Bad Name",
        "category": "product-knowledge", "summary": "x"})
    assert "Use lower-case letters" in response.get_data(as_text=True)


def test_history_and_diff_between_versions(app, runner, content_copy):
    client = trainer_client(app, runner)
    text, base_hash, token = open_editor(client)
    client.post(EDIT, data={"text": text.replace("estimated_minutes: 25",
                                                 "estimated_minutes: 30"),
                            "base_hash": base_hash, "csrf_token": token, "action": "save"})
    page = client.get("/author/modules/pricing-and-packages/history").get_data(as_text=True)
    assert "Version 2" in page and "Tess Trainer" in page and "file sync" in page
    page = client.get("/author/modules/pricing-and-packages/diff?from=1&to=2") \
        .get_data(as_text=True)
    assert "estimated_minutes: 25" in page and "estimated_minutes: 30" in page
    assert 'class="diff__removed"' in page and 'class="diff__added"' in page
    page = client.get("/author/modules/pricing-and-packages/versions/1").get_data(as_text=True)
    assert "estimated_minutes: 25" in page
    assert client.get("/author/modules/pricing-and-packages/diff?from=1&to=9").status_code == 404


def test_content_list_shows_validation_status(app, runner, content_copy):
    client = trainer_client(app, runner)
    quiz = content_copy / "quizzes/regional-market-figures.yaml"  # a quiz without translations
    quiz.write_text(quiz.read_text().replace("pass_mark: 70", "pass_mark: 170"))
    page = client.get("/author/").get_data(as_text=True)
    assert page.count("badge--bad") == 1 and "1 error" in page
    assert "File changed, not synced" in page


def test_media_is_served_from_the_database(app, runner, content_copy):
    client = trainer_client(app, runner)
    response = client.get("/learn/media/buying-committee-map.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert client.get("/learn/media/buying-committee-map.svg",
                      headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    assert client.get("/learn/media/nothing.png").status_code == 404
