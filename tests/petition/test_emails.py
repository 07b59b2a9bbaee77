"""Every email is rendered by petition.emails from a template triplet, in the recipient's language."""

from types import SimpleNamespace

import pytest

from petition.emails import render_email
from tests.factories import unsaved_campaign

pytestmark = pytest.mark.unit


def test_it_renders_subject_text_and_html_in_the_language_asked_for(settings):
    settings.DEFAULT_FROM_EMAIL = "petition@example.org"
    campaign = unsaved_campaign(title="Ban biometric mass surveillance", language="de")

    message = render_email(
        "milestone",
        {"campaign": campaign, "milestone": SimpleNamespace(threshold=1000), "count": 1000, "campaign_url": "https://x", "admin_url": "https://y"},
        "de",
        ["staff@example.org"],
    )

    assert message.to == ["staff@example.org"] and message.from_email == "petition@example.org"
    assert "\n" not in message.subject and message.subject == message.subject.strip()
    assert "Ban biometric mass surveillance" in message.subject
    assert "https://x" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "https://x" in html
    assert message.subject != render_email(
        "milestone",
        {"campaign": campaign, "milestone": SimpleNamespace(threshold=1000), "count": 1000, "campaign_url": "https://x", "admin_url": "https://y"},
        "en",
        ["staff@example.org"],
    ).subject


def test_a_subject_keeps_its_no_break_spaces_but_not_its_newlines(settings):
    campaign = unsaved_campaign(title="Interdire\u00a0: la surveillance\nde masse")
    message = render_email(
        "milestone",
        {"campaign": campaign, "milestone": SimpleNamespace(threshold=10), "count": 10, "campaign_url": "https://x", "admin_url": "https://y"},
        "fr",
        ["staff@example.org"],
    )
    assert "\n" not in message.subject
    assert "\u00a0" in message.subject
