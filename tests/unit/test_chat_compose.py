"""The team chat messages and their two payloads (lms/chat/compose.py)."""

from __future__ import annotations

from datetime import date

import pytest

from lms.chat.compose import (
    MAX_LINES,
    slack_payload,
    team_digest,
    team_summary,
    teams_payload,
)
from lms.chat.secret import hint
from lms.reminders.compose import OverdueLine, SalesCount
from tests.chat_standin import card_text, teams_problem

DAY = date(2026, 3, 10)
LINK = "https://train.example.com/manage/assignments/?team=3"


def overdue(n: int) -> list[OverdueLine]:
    return [OverdueLine(f"Person {i:02d}", None, "Pricing", date(2026, 3, 1), 9)
            for i in range(n)]


def test_the_teams_payload_is_a_message_with_one_adaptive_card(app):  # noqa: ARG001
    message = team_digest("Team Noord", overdue(2), [SalesCount("Anna", None, 2, 1)], DAY, 7,
                          LINK)
    payload = teams_payload(message)
    assert teams_problem(payload) is None
    card = payload["attachments"][0]["content"]
    assert card["version"] == "1.4" and card["type"] == "AdaptiveCard"
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Open Verkoopklaar",
                                "url": LINK}]
    text = card_text(payload)
    assert "Overdue training: 2 items" in text
    assert "Person 00: Pricing, due 1 Mar 2026, 9 days overdue" in text
    assert "Anna: 2 follow-ups overdue, 1 complaint open long" in text
    assert "@type" not in str(payload) and "MessageCard" not in str(payload)
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert payload["attachments"][0]["contentUrl"] is None


def test_a_teams_card_cannot_carry_a_disguised_link(app):  # noqa: ARG001
    lines = [OverdueLine("[Your manager](https://evil.example/login)", None,
                         "[Pricing](https://evil.example)", DAY, 1)]
    summary = team_summary("[Noord](https://evil.example)", ["[Anna](https://x.example)"], 7,
                           LINK)
    digest = card_text(teams_payload(team_digest("Noord", lines, [], date(2026, 3, 11), 7,
                                                 LINK)))
    summary_text = card_text(teams_payload(summary))
    assert "](" not in digest and "](" not in summary_text
    # Still readable as written.
    assert "[Your manager]\u200b(https://evil.example/login): [Pricing]" in digest
    assert "[Anna]\u200b(https://x.example)" in summary_text


def test_long_lists_stop_at_a_readable_length(app):  # noqa: ARG001
    message = team_digest("Team Noord", overdue(MAX_LINES + 12), [], DAY, 7, LINK)
    (section,) = message.sections
    assert len(section.lines) == MAX_LINES and section.more == 12
    assert "… and 12 more in Verkoopklaar" in card_text(teams_payload(message))
    blocks = slack_payload(message)["blocks"]
    assert len(blocks) <= 50
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
    summary = team_summary("Team Noord", [f"P{i:02d}" for i in range(MAX_LINES + 2)], 7, LINK)
    assert summary.intro.startswith("27 people have training due in the next 7 days:")
    assert "P24 and 2 more." in summary.intro and "P25" not in summary.intro


def test_slack_text_cannot_make_links_or_mentions(app):  # noqa: ARG001
    lines = [OverdueLine("<!channel> & <https://evil.example|click>", None, "A <b>", DAY, 1)]
    payload = slack_payload(team_digest("R&D <team>", lines, [], date(2026, 3, 11), 7, LINK))
    section = payload["blocks"][2]["text"]["text"]
    assert "&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;" in section
    assert "<!channel>" not in section and "A &lt;b&gt;" in section
    assert payload["blocks"][-1]["elements"][0]["text"].startswith(f"<{LINK}|Open Verkoopklaar>")
    # The notification's text is read by Slack the same way: no mention, no link.
    assert payload["text"].startswith("R&amp;D &lt;team&gt;: overdue training")
    summary = slack_payload(team_summary("Noord", ["<!channel>", "Anna"], 7, LINK))
    assert "<!channel>" not in summary["text"] and "&lt;!channel&gt;, Anna" in summary["text"]


def test_the_summary_names_people_only(app):  # noqa: ARG001
    message = team_summary("Team Noord", ["Bob", "Anna", "Bob"], 7, LINK)
    assert message.intro == ("2 people have training due in the next 7 days: Anna, Bob. "
                             "Open My training in Verkoopklaar to finish it in time.")
    assert message.sections == ()
    with pytest.raises(ValueError):
        team_summary("Team Noord", [], 7, LINK)


@pytest.mark.parametrize(("url", "shown"), [
    ("https://hooks.slack.com/services/T1/B2/abcdefgh1234", "https://hooks.slack.com/…1234"),
    ("https://prod-01.westeurope.logic.azure.com:443/workflows/1/triggers/manual/paths/"
     "invoke?api-version=2016-06-01&sig=Zx9q", "https://prod-01.westeurope.logic.azure.com:443/…Zx9q"),
])
def test_the_hint_shows_the_host_and_four_characters(url, shown):
    assert hint(url) == shown


def test_the_hint_of_a_very_long_host_fits_its_column():
    from lms.chat.secret import HINT_LENGTH

    url = f"https://{'a' * 60}.{'b' * 60}.{'c' * 60}.environment.api.powerplatform.com/x/Zx9q"
    shown = hint(url)
    assert len(shown) <= HINT_LENGTH == 120
    assert shown.startswith("https://aaaa") and shown.endswith("…/…Zx9q")
