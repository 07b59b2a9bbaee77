"""The milestone email's subject is plain text: a campaign title's & and ' reach the mailbox as typed, not as HTML entities."""

import email
import email.policy

import pytest
from django.utils import timezone

from campaigns import milestone_emails
from campaigns.models import Milestone
from tests.factories import make_campaign
from tests.realstack import smtp_port, smtp_server, wait_for

pytestmark = pytest.mark.django_db


class RawHandler:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.original_content or envelope.content)
        return "250 OK"


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "Protect <our> rights & freedoms, 'now'"),
        ("de", "Grundrechte & Freiheit: \"Überwachung\" <stoppen>"),
    ],
)
def test_the_subject_carries_the_title_as_typed_over_smtp(settings, language, title):
    campaign = make_campaign(title=title, language=language, staff_emails="staff@example.org")
    milestone = Milestone.objects.create(campaign=campaign, threshold=1000, reached_at=timezone.now())
    with smtp_server(RawHandler()) as (controller, inbox):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = smtp_port(controller)

        assert milestone_emails.deliver_milestone_email(milestone.pk)

        raw = wait_for(lambda: inbox.messages and inbox.messages[0])
    subject = email.message_from_bytes(raw, policy=email.policy.default)["Subject"]
    assert title in subject
    assert "&amp;" not in subject and "&#x27;" not in subject and "&lt;" not in subject and "&quot;" not in subject
