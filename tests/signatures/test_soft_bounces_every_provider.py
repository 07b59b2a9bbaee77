"""A soft bounce (mailbox full, server busy) suppresses nothing, whichever provider reports it; a hard one still does.

anymail normalises Brevo's soft_bounce and Mailjet's bounce with
hard_bounce false to the same "bounced" event as a hard bounce: the raw
event says which it was, as Postmark's Type does.
"""

import base64
import json

import pytest
from django.utils import timezone

from signatures.models import Signature, Suppression
from tests.factories import make_campaign, make_signature

pytestmark = pytest.mark.django_db

SECRET = "hook:0f8e2c1d9b7a"


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": SECRET}


def post(client, provider: str, payload):
    return client.post(
        f"/anymail/{provider}/tracking/",
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(SECRET.encode()).decode(),
    )


def brevo(event: str, address: str) -> dict:
    """Brevo's transactional webhook payload."""
    return {
        "event": event,
        "email": address,
        "id": 1234567,
        "date": "2026-12-05 10:30:00",
        "ts": 1764927000,
        "message-id": "<202612051030.12345678901@smtp-relay.mailin.fr>",
        "ts_event": 1764927000,
        "subject": "Please confirm your signature",
        "reason": "552 5.2.2 Mailbox full" if event == "soft_bounce" else "550 5.1.1 User unknown",
        "ts_epoch": 1764927000000,
    }


def mailjet(address: str, *, hard: bool, error: str) -> dict:
    """Mailjet's event API payload for a bounce."""
    return {
        "event": "bounce",
        "time": 1764927000,
        "MessageID": 13792286917004336,
        "Message_GUID": "1ab23cd4-e567-8901-2345-6789f0gh1i2j",
        "email": address,
        "mj_campaign_id": 0,
        "mj_contact_id": 0,
        "customcampaign": "",
        "CustomID": "",
        "Payload": "",
        "blocked": False,
        "hard_bounce": hard,
        "error_related_to": "recipient",
        "error": error,
        "comment": "",
    }


def pending_with_confirmation_sent(email: str) -> Signature:
    return make_signature(make_campaign(), email=email, confirmation_sent_at=timezone.now())


@pytest.mark.parametrize(
    ("provider", "payload"),
    [
        ("brevo", brevo("soft_bounce", "full@example.org")),
        ("mailjet", mailjet("full@example.org", hard=False, error="quota exceeded")),
    ],
)
def test_a_soft_bounce_suppresses_nothing(client, provider, payload):
    signature = pending_with_confirmation_sent("full@example.org")

    assert post(client, provider, payload).status_code == 200

    assert not Suppression.objects.exists()
    signature.refresh_from_db()
    assert signature.undeliverable_at is None


@pytest.mark.parametrize(
    ("provider", "payload"),
    [
        ("brevo", brevo("hard_bounce", "gone@example.org")),
        ("mailjet", mailjet("gone@example.org", hard=True, error="user unknown")),
    ],
)
def test_a_hard_bounce_still_suppresses(client, provider, payload):
    signature = pending_with_confirmation_sent("gone@example.org")

    assert post(client, provider, payload).status_code == 200

    assert Suppression.objects.get().reason == "bounce"
    signature.refresh_from_db()
    assert signature.undeliverable_at is not None
