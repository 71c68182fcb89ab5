"""Browser tests: the real app on a real HTTP server, driven by headless Chromium.

Every test gets its own database (a copy of the migrated template, see ``tests/conftest.py``),
its own server on a free port and its own browser context; one Chromium process is shared by
the whole session. Without Chromium (``chromium`` on PATH, /usr/bin/chromium, or ``LMS_CHROMIUM``)
the tests are skipped, unless ``LMS_REQUIRE_E2E=1`` (CI) makes a missing browser an error.

While a page is open, console errors, uncaught script errors and Content-Security-Policy
violations are collected; a test fails (at teardown) if any were seen that it did not expect.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from lms import create_app
from lms.extensions import db
from tests.conftest import base_config, use_content_copy

HERE = Path(__file__).resolve().parent
REQUIRE_E2E = os.environ.get("LMS_REQUIRE_E2E") == "1"
DEMO_SEED = 2026


def _find_chromium() -> str | None:
    """``LMS_CHROMIUM`` if set (another build, or a wrong path to see the skip), else Debian's."""
    override = os.environ.get("LMS_CHROMIUM")
    if override is not None:
        return override if os.access(override, os.X_OK) else None
    found = shutil.which("chromium")
    if found:
        return found
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


CHROMIUM = _find_chromium()


def _playwright_missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return f"the Playwright package is not installed ({exc})"
    return None


def _why_not_runnable() -> str | None:
    if CHROMIUM is None:
        where = (f"LMS_CHROMIUM={os.environ['LMS_CHROMIUM']} is not an executable"
                 if "LMS_CHROMIUM" in os.environ
                 else "no `chromium` on PATH, no /usr/bin/chromium")
        return (f"Chromium not found ({where}); "
                "install Debian's chromium package to run the browser tests")
    return _playwright_missing()


SKIP_REASON = _why_not_runnable()

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--disable-quic",
]


def _is_e2e(item: pytest.Item) -> bool:
    path = Path(str(item.path)).resolve()
    return path == HERE or HERE in path.parents


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if not _is_e2e(item):
            continue
        item.add_marker(pytest.mark.e2e)
        if SKIP_REASON and not REQUIRE_E2E:
            item.add_marker(pytest.mark.skip(reason=f"browser tests skipped: {SKIP_REASON}"))


# The server ---------------------------------------------------------------------------------

class _QuietHandler(WSGIRequestHandler):
    """No access log lines in the test output; errors are still logged."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@pytest.fixture
def live_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The application on this test's own database (rate limiting off, fast hashing)."""
    app = create_app(base_config(tmp_path, database_url))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve ``app`` on a free port in a background thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def live_server(live_app: Flask) -> Iterator[str]:
    """Serve ``live_app`` on a free port in a background thread; yields the base URL."""
    with serving(live_app) as base:
        yield base


def load_demo(app: Flask) -> None:
    from lms.demo import build_demo

    with app.app_context():
        build_demo(seed=DEMO_SEED)
        db.session.commit()


@pytest.fixture
def demo_server(live_app: Flask, live_server: str) -> str:
    """``live_server`` with the demo organisation loaded (password ``DEMO_PASSWORD``)."""
    load_demo(live_app)
    return live_server


@pytest.fixture
def content_demo(live_app: Flask, live_server: str, tmp_path: Path) -> str:
    """The demo organisation on a copy of the real content, synced first as `make run` does
    (modules, quizzes, paths and the coaching rubric): its training history rests on the synced
    modules and quizzes, its coaching on the rubric. Returns the base URL."""
    from lms.content.commands import sync_configured_content

    use_content_copy(live_app, tmp_path)
    with live_app.app_context():
        sync_configured_content()
        db.session.commit()
    load_demo(live_app)
    return live_server


# The browser --------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser() -> Iterator:  # noqa: ANN201 - playwright.sync_api.Browser
    if SKIP_REASON:
        # Only reached with LMS_REQUIRE_E2E=1: without it the items were marked as skipped.
        pytest.fail(f"LMS_REQUIRE_E2E=1 but the browser tests cannot run: {SKIP_REASON}",
                    pytrace=False)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
    except BaseException:
        playwright.stop()
        raise
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()


# What the browser complained about -----------------------------------------------------------

# Reports CSP violations to the console, where the collector below sees them. Injected by the
# driver (not a page script), so the site's own CSP does not block it.
_CSP_REPORTER = """
document.addEventListener('securitypolicyviolation', (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`
                + ` on ${e.documentURI}`);
});
"""
# Chromium logs an error-status page load as a console error; tests that expect one say so.
_STATUS_MESSAGE = "Failed to load resource: the server responded with a status of {code}"


@dataclass
class BrowserIssues:
    """Console errors, page errors and CSP violations seen during one test."""

    messages: list[str] = field(default_factory=list)
    allowed_statuses: set[int] = field(default_factory=set)

    def expect_status(self, *codes: int) -> None:
        """The test deliberately opens pages answering these HTTP statuses."""
        self.allowed_statuses.update(codes)

    def unexpected(self) -> list[str]:
        allowed = tuple(_STATUS_MESSAGE.format(code=c) for c in self.allowed_statuses)
        return [m for m in self.messages if not (allowed and m.startswith(allowed))]

    def attach(self, page) -> None:  # noqa: ANN001 - playwright Page
        def on_console(message) -> None:  # noqa: ANN001
            if message.type == "error":
                where = message.location.get("url", "") if message.location else ""
                self.messages.append(f"{message.text} [{where}]")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.messages.append(f"page error: {error}"))


@pytest.fixture
def browser_issues() -> BrowserIssues:
    return BrowserIssues()


@pytest.fixture
def new_page(browser, browser_issues: BrowserIssues) -> Iterator[Callable]:  # noqa: ANN001
    """``new_page(**context_options)``: a page in a fresh browser context (own cookies)."""
    contexts = []

    def make(**options):  # noqa: ANN003, ANN202
        options.setdefault("viewport", {"width": 1280, "height": 900})
        options.setdefault("locale", "en-GB")
        context = browser.new_context(**options)
        contexts.append(context)
        context.set_default_timeout(5_000)
        context.set_default_navigation_timeout(10_000)
        context.add_init_script(_CSP_REPORTER)
        page = context.new_page()
        browser_issues.attach(page)
        return page

    yield make
    for context in contexts:
        context.close()
    problems = browser_issues.unexpected()
    if problems:
        pytest.fail("the browser reported errors:\n  " + "\n  ".join(problems), pytrace=False)


@pytest.fixture
def page(new_page: Callable):  # noqa: ANN201 - playwright Page
    """A desktop-sized page (1280x900) in its own browser context."""
    return new_page()


@pytest.fixture
def phone_page(new_page: Callable):  # noqa: ANN201 - playwright Page
    """A phone-sized page (390x844, touch, mobile viewport rules)."""
    return new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                    device_scale_factor=2)


# Helpers ------------------------------------------------------------------------------------

def log_in(page, base_url: str, email: str, password: str) -> None:  # noqa: ANN001
    """Open the login page and log in the way a person does: by the labels and the button."""
    page.goto(f"{base_url}/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    # Wait for the answer to the POST, so that a following goto() cannot cut it off.
    with page.expect_navigation():
        page.get_by_role("button", name="Log in", exact=True).click()


def log_out(page) -> None:  # noqa: ANN001
    from playwright.sync_api import expect

    page.get_by_role("button", name="Log out", exact=True).click()
    expect(page.get_by_role("heading", name="Log in", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("You have been logged out.")


def page_overflow(page) -> tuple[int, int, int]:  # noqa: ANN001
    """(document scroll width, window.innerWidth, the device's viewport width).

    Content wider than the viewport scrolls the whole page sideways. On an emulated phone
    Chromium then zooms out and *widens* ``innerWidth`` to fit the content, so compare
    with the device width as well.
    """
    scroll_width, inner_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]")
    return scroll_width, inner_width, page.viewport_size["width"]
