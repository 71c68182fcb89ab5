"""A trainer's journeys through the content tools, in a real browser.

The server reads a private copy of content/ and quizzes/ (synced into this test's database), so
saving here never touches the repository's files. Elements are found the way a person finds
them: by role, label and visible text. Console errors and Content-Security-Policy violations fail
a test (collected by ``new_page`` in conftest.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Locator, Page, expect

from lms.demo import DEMO_PASSWORD
from tests.e2e.conftest import log_in, use_content_copy

TRAINER = "trainer@demo.test"
MODULE_LABEL = "Markdown with YAML front matter"
QUIZ_LABEL = "YAML"
CONFLICT = "Not saved: someone else changed this file"


@dataclass(frozen=True)
class Site:
    url: str
    root: Path

    def file(self, relative: str) -> Path:
        return self.root / relative

    def read(self, relative: str) -> str:
        return self.file(relative).read_text(encoding="utf-8")


@pytest.fixture
def site(live_app: Flask, demo_server: str, tmp_path: Path) -> Site:
    """The demo site reading a private copy of the content, synced as version 1 of each file.

    The demo is built before the sync, so (unlike ``content_demo``) it has no training history;
    the sync goes through ``lms content sync``."""
    root = use_content_copy(live_app, tmp_path)
    with live_app.app_context():
        result = live_app.test_cli_runner().invoke(args=["content", "sync"])
    assert result.exit_code == 0, result.output
    return Site(demo_server, root)


def trainer_page(new_page: Callable, site: Site, **options: object) -> Page:
    page = new_page(**options)
    log_in(page, site.url, TRAINER, DEMO_PASSWORD)
    expect(page_heading(page)).to_have_text("Training content")
    return page


def content_row(page: Page, section: str, title: str) -> Locator:
    """The row of ``title`` in the Modules / Quizzes / Learning paths card of the content list."""
    card = page.locator("section").filter(
        has=page.get_by_role("heading", name=re.compile(rf"^{section}\b")))
    return card.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=title, exact=True))


def page_heading(page: Page) -> Locator:
    """The page's own h1 (a module preview renders the module's "# Title" as a second h1)."""
    return page.get_by_role("heading", level=1).first


def editor(page: Page, label: str = MODULE_LABEL) -> Locator:
    return page.get_by_label(label, exact=True)


def preview(page: Page) -> Locator:
    return page.get_by_role("region", name="Preview")


def setting(page: Page, name: str) -> Locator:
    """The value of one quiz setting in a quiz preview's list of settings."""
    term = page.locator("dt", has_text=re.compile(rf"^{name}$"))
    return term.locator("xpath=following-sibling::dd[1]")


def save(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()


def selection(textarea: Locator) -> list:
    """[selectionStart, selectionEnd, whether the textarea has the focus]."""
    return textarea.evaluate(
        "t => [t.selectionStart, t.selectionEnd, document.activeElement === t]")


# The content list and the previews ------------------------------------------------------------

def test_content_list_and_previews_of_a_module_and_a_quiz(site: Site, new_page: Callable) -> None:
    page = trainer_page(new_page, site)

    for section, title in [("Modules", "Brewline and its product range"),
                           ("Modules", "Objection handling"),
                           ("Quizzes", "Pricing and packages"),
                           ("Learning paths", "New hire onboarding"),
                           ("Learning paths", "Customer insight")]:
        row = content_row(page, section, title)
        expect(row).to_have_count(1)
        # Valid, and so is its Dutch translation where it has one (shown in the same row).
        expect(row.get_by_role("cell").nth(1)).to_have_text(
            re.compile(r"^\s*Valid(\s+Translation: \S+\.nl\.(md|yaml)\s+Valid)?\s*$"))
    # Every one of the 20 files and the 15 Dutch translations is valid and synced: no errors,
    # warnings or unsynced changes.
    expect(page.get_by_text("Valid", exact=True)).to_have_count(35)
    expect(page.get_by_text(re.compile(r"^Translation:"))).to_have_count(15)
    expect(page.get_by_text(re.compile(r"^Not served"))).to_have_count(0)
    expect(page.get_by_text(re.compile(r"^\d+ (error|warning)s?$"))).to_have_count(0)
    expect(page.get_by_text("File changed, not synced")).to_have_count(0)
    counts = page.get_by_role("heading", level=2)
    expect(counts).to_have_text([re.compile(r"^Modules\s+9$"), re.compile(r"^Quizzes\s+9$"),
                                 re.compile(r"^Learning paths\s+2$")])

    # A module preview: the rendered text, its table of contents and an image from media/.
    content_row(page, "Modules", "Brewline and its product range").get_by_role("link").first.click()
    expect(page_heading(page)).to_have_text("Brewline and its product range")
    toc = page.get_by_role("navigation", name="Contents of this module")
    expect(toc.get_by_role("link", name="The coffee range", exact=True)).to_be_visible()
    expect(toc.get_by_role("link", name="Sizing a coffee machine", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="The water range", level=2)).to_be_visible()
    expect(page.get_by_role("heading", name="Compact family", level=3)).to_be_visible()
    expect(page.get_by_role("cell", name="Pro B250", exact=True).first).to_be_visible()
    toc.get_by_role("link", name="Sizing a coffee machine").click()
    expect(page).to_have_url(re.compile(r"#sizing-a-coffee-machine$"))
    image = page.get_by_role("img", name=re.compile(r"^Bar chart of Brewline coffee machines"))
    expect(image).to_have_attribute("src", "/learn/media/machine-range-cups-per-day.svg")
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete", arg=image.element_handle())
    assert image.evaluate("img => img.naturalWidth") > 0
    # The admonitions are rendered, not shown as "!!! note".
    expect(page.get_by_text("Water is a door opener", exact=True)).to_be_visible()
    expect(page.get_by_text("!!! note")).to_have_count(0)

    # A quiz preview: every question, with the correct answers marked.
    page.get_by_role("link", name="Content", exact=True).first.click()
    content_row(page, "Quizzes", "Pricing and packages").get_by_role("link").first.click()
    expect(page_heading(page)).to_have_text("Pricing and packages")
    expect(page.get_by_role("heading", name="Pricing and packages", level=2)).to_be_visible()
    questions = page.locator("ol.questions > li")  # the answers are list items too
    expect(questions).to_have_count(12)
    compact = questions.filter(has_text="wants to lease a Compact C2")
    correct = compact.get_by_role("listitem").filter(has=page.get_by_label("correct", exact=True))
    expect(correct).to_have_count(1)
    expect(correct).to_contain_text("A Compact C2 alone is below the €2,500 minimum lease value")
    expect(compact.get_by_label("incorrect", exact=True)).to_have_count(3)
    lease = questions.filter(has_text="leases an Office B120 for 60 months")
    expect(lease.get_by_role("listitem").first).to_contain_text("119 ± 0.5 EUR per month")
    expect(lease.get_by_role("listitem").nth(1)).to_contain_text("(0%)")
    expect(setting(page, "Pass mark")).to_have_text("80%")
    expect(setting(page, "Attempts")).to_have_text("3")


# A new module, from the template to its second version -----------------------------------------

def test_new_module_live_preview_problems_save_and_history(site: Site,
                                                           new_page: Callable) -> None:
    page = trainer_page(new_page, site)
    page.get_by_role("link", name="New module", exact=True).click()
    expect(page_heading(page)).to_have_text("New module")
    page.get_by_label("Title", exact=True).fill("Service levels explained")
    page.get_by_label("File name (slug)", exact=True).fill("service-levels")
    page.get_by_label("Category", exact=True).select_option(label="Product knowledge")
    page.get_by_label("Summary", exact=True).fill("Care Basic, Care Plus and Care Premium.")
    page.get_by_role("button", name="Create and edit").click()

    expect(page).to_have_url(f"{site.url}/author/modules/service-levels/edit")
    expect(page.get_by_role("status").first).to_contain_text("Module created from the template.")
    path = "content/modules/service-levels.md"
    template = site.read(path)
    textarea = editor(page)
    expect(textarea).to_have_value(template)
    assert 'title: "Service levels explained"' in template
    pane = preview(page)
    expect(pane.get_by_text("No problems found.")).to_be_visible()
    expect(pane.get_by_role("heading", name="Service levels explained", level=2)).to_be_visible()

    # Typing updates the preview without submitting anything.
    textarea.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\n## Service levels\n\nCare Plus puts a technician on site within "
                       "one working day.\n")
    expect(pane.get_by_role("heading", name="Service levels", exact=True)).to_be_visible()
    expect(pane.get_by_role("navigation", name="Contents of this module")
           .get_by_role("link", name="Service levels", exact=True)).to_be_visible()
    expect(page.get_by_text("Preview updated")).to_be_visible()
    expect(page).to_have_url(f"{site.url}/author/modules/service-levels/edit")
    assert site.read(path) == template

    # A mistake shows up in the pane while typing, and its line button selects that line.
    typed = textarea.input_value()
    assert typed.startswith(template.rstrip("\n")) and "## Service levels" in typed
    broken = typed.replace("category: product-knowledge", "category: gossip")
    textarea.fill(broken)
    problem = pane.get_by_role("listitem").filter(has_text="unknown category 'gossip'")
    expect(problem).to_be_visible()
    expect(pane.get_by_role("heading", name="1 error, 0 warnings")).to_be_visible()
    line_number = broken.split("\n").index("category: gossip") + 1
    problem.get_by_role("button", name=f"Line {line_number}", exact=True).click()
    start = sum(len(line) + 1 for line in broken.split("\n")[:line_number - 1])
    assert selection(textarea) == [start, start + len("category: gossip"), True]

    # Fixed and saved: the file and a second version.
    textarea.fill(typed)
    expect(pane.get_by_text("No problems found.")).to_be_visible()
    save(page)
    expect(page.get_by_role("status").first).to_have_text("Saved as version 2.")
    assert site.read(path) == typed
    expect(editor(page)).to_have_value(typed)

    page.get_by_role("link", name="history", exact=True).click()
    expect(page_heading(page)).to_have_text("History of service-levels")
    expect(page.get_by_role("table").locator("caption")).to_contain_text("2 versions")
    expect(page.get_by_role("rowheader", name=re.compile(r"^Version \d"))).to_have_text(
        [re.compile(r"^Version 2\s+Current$"), "Version 1"])
    expect(page.get_by_role("cell", name="Joost Leermans", exact=True)).to_have_count(2)
    page.get_by_role("button", name="Compare").click()
    expect(page_heading(page)).to_have_text("Version 1 → version 2")
    added = page.get_by_role("row").filter(has_text="added")
    expect(added).to_have_count(4)
    expect(added.nth(1)).to_contain_text("## Service levels")
    expect(added.nth(3)).to_contain_text("Care Plus puts a technician on site")
    expect(page.get_by_role("row").filter(has_text="removed")).to_have_count(0)


# Two people editing the same file ----------------------------------------------------------------

def test_a_save_over_someone_elses_change_is_refused_then_can_overwrite(
        site: Site, new_page: Callable) -> None:
    path = "content/modules/objection-handling.md"
    url = f"{site.url}/author/modules/objection-handling/edit"
    first, second = trainer_page(new_page, site), trainer_page(new_page, site)
    for page in (first, second):
        page.goto(url)
        expect(editor(page)).to_have_value(site.read(path))
    original = site.read(path)

    theirs = original.replace("estimated_minutes: 25", "estimated_minutes: 30")
    editor(first).fill(theirs)
    save(first)
    expect(first.get_by_role("status").first).to_have_text("Saved as version 2.")
    assert site.read(path) == theirs

    mine = original.replace("tags: [objections, conversation, negotiation]",
                            "tags: [objections, conversation, negotiation, lace]")
    editor(second).fill(mine)
    save(second)
    alert = second.get_by_role("alert")
    expect(alert.get_by_role("heading", name=CONFLICT)).to_be_visible()
    differences = alert.get_by_role("row")
    expect(differences.filter(has_text="removed")).to_contain_text(
        ["estimated_minutes: 30", "tags: [objections, conversation, negotiation]"])
    expect(differences.filter(has_text="added")).to_contain_text(
        ["estimated_minutes: 25", "tags: [objections, conversation, negotiation, lace]"])
    assert site.read(path) == theirs
    expect(editor(second)).to_have_value(mine)
    expect(second.get_by_text("Saved as version")).to_have_count(0)

    # Having read the difference, saving again is a deliberate overwrite.
    save(second)
    expect(second.get_by_role("status").first).to_have_text("Saved as version 3.")
    expect(second.get_by_role("alert")).to_have_count(0)
    assert site.read(path) == mine


# Quizzes --------------------------------------------------------------------------------------

def test_a_broken_quiz_rule_is_shown_and_blocks_saving(site: Site, new_page: Callable) -> None:
    page = trainer_page(new_page, site)
    path = "quizzes/buying-committees.yaml"
    original = site.read(path)
    content_row(page, "Quizzes", "Buying committees").get_by_role("link", name="Edit").click()
    expect(page_heading(page)).to_have_text("Edit buying-committees")
    textarea = editor(page, QUIZ_LABEL)
    expect(textarea).to_have_value(original)
    pane = preview(page)
    expect(pane.get_by_text("No problems found.")).to_be_visible()
    expect(pane.locator("ol.questions > li")).to_have_count(11)

    broken = original.replace("pass_mark: 75", "pass_mark: 175")
    textarea.fill(broken)
    line_number = broken.split("\n").index("  pass_mark: 175") + 1
    problem = pane.get_by_role("listitem").filter(has_text="pass_mark")
    expect(problem).to_have_count(1)
    expect(problem.get_by_role("button")).to_have_text(f"Line {line_number}")
    expect(pane.get_by_role("heading", name="1 error, 0 warnings")).to_be_visible()

    save(page)
    expect(page.get_by_role("alert")).to_have_text("Not saved: 1 error to fix first.")
    expect(editor(page, QUIZ_LABEL)).to_have_value(broken)
    expect(preview(page).get_by_role("button", name=f"Line {line_number}")).to_be_visible()
    assert site.read(path) == original

    fixed = original.replace("pass_mark: 75", "pass_mark: 80")
    editor(page, QUIZ_LABEL).fill(fixed)
    expect(preview(page).get_by_text("No problems found.")).to_be_visible()
    save(page)
    expect(page.get_by_role("status").first).to_have_text("Saved as version 2.")
    assert site.read(path) == fixed
    page.get_by_role("link", name="Buying committees", exact=True).click()
    expect(setting(page, "Pass mark")).to_have_text("80%")


# Without JavaScript ------------------------------------------------------------------------------

def test_the_editor_works_without_javascript(site: Site, new_page: Callable) -> None:
    page = trainer_page(new_page, site, java_script_enabled=False)
    path = "content/modules/pricing-and-packages.md"
    original = site.read(path)
    content_row(page, "Modules", "Pricing and packages").get_by_role("link", name="Edit").click()
    expect(page_heading(page)).to_have_text("Edit pricing-and-packages")

    changed = original.replace("# Pricing and packages\n",
                               "# Pricing and packages\n\n## Quick reference\n\nAsk first.\n", 1)
    editor(page).fill(changed)
    with page.expect_navigation():
        page.get_by_role("button", name="Check and preview").click()
    pane = preview(page)
    expect(pane.get_by_role("heading", name="Quick reference", exact=True)).to_be_visible()
    expect(pane.get_by_text("No problems found.")).to_be_visible()
    expect(editor(page)).to_have_value(changed)
    assert site.read(path) == original

    save(page)
    expect(page.get_by_role("status").first).to_have_text("Saved as version 2.")
    assert site.read(path) == changed
