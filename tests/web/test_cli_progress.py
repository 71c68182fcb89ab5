"""Long command-line work shows progress bars to a person at a terminal and nothing to a
script: ``lms content sync`` run both ways in a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def _sync_in_subprocess(app, database_url: str, tmp_path, *, terminal: bool) -> str:  # noqa: ANN001
    """``lms content sync`` as a person (standard error on a terminal) or a script runs it;
    returns what it wrote to standard error."""
    import pty

    # LMS_DEFAULT_LOCALE: the progress labels are in the organisation's language.
    env = {**os.environ, "LMS_DATABASE_URL": database_url, "LMS_SECRET_KEY": "test-secret",
           "LMS_DEFAULT_LOCALE": "en",
           "LMS_INSTANCE_PATH": str(tmp_path / "sync-instance"),
           "LMS_CONTENT_DIR": app.config["CONTENT_DIR"], "LMS_QUIZ_DIR": app.config["QUIZ_DIR"]}
    lms = str(Path(sys.executable).with_name("lms"))
    if not terminal:
        run = subprocess.run([lms, "content", "sync"], cwd=REPO, env=env, capture_output=True,
                             text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        return run.stderr
    controller, screen = pty.openpty()
    run = subprocess.run([lms, "content", "sync"], cwd=REPO, env=env, stdout=subprocess.PIPE,
                         stderr=screen, timeout=120)
    os.close(screen)
    assert run.returncode == 0
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    return shown.decode("utf-8", "replace")


def test_long_work_shows_a_progress_bar_at_a_terminal_and_nothing_in_scripts(
        app, content_copy, database_url, tmp_path):  # noqa: ANN001
    assert "Syncing content" in _sync_in_subprocess(app, database_url, tmp_path, terminal=True)
    assert _sync_in_subprocess(app, database_url, tmp_path, terminal=False) == ""
