"""Twenty learners at once against gunicorn with 4 workers, on the test database (SQLite, or
PostgreSQL with LMS_TEST_DATABASE_URL): the suite's small version of ``bench/load.py``.

The learners log in, read, start, save answers in two halves and submit without answers; the
database must then hold exactly one graded submission per submit made, every saved answer
(graded), and no request may have failed or met a server error. No times are asserted.
"""

from __future__ import annotations

from bench.loadtest.run import Settings, run_load


def test_twenty_learners_at_once_lose_nothing_and_grade_each_submit_once(app, tmp_path):
    settings = Settings(learners=20, run_time=10, spawn_rate=10, think=(0.1, 0.5),
                        hash_method="pbkdf2:sha256:1000")
    outcome = run_load(app, settings, tmp_path)

    assert outcome.problems == [], outcome.server_log[-3000:]
    figures = outcome.counts
    assert figures["logins"] == 20
    # The learners did the work the invariants are about.
    assert figures["submits"] >= 1 and figures["saves"] >= figures["submits"]
    assert figures["submissions"] >= figures["submits"] - len(outcome.swarm["interrupted"])
    assert not any(int(code) >= 500 for code in outcome.swarm["statuses"])
