"""Bounces and complaints as Postmark and Mailgun post them to anymail's tracking webhook."""

import base64
import hashlib
import hmac
import json

import pytest
from django.utils import timezone

from signatures.models import Signature, Suppression
from tests.factories import make_campaign, make_signature

pytestmark = pytest.mark.django_db

SECRET = "hook:0f8e2c1d9b7a"
MAILGUN_KEY = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0"


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": SECRET, "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY}


def post(client, provider: str, payload, auth: str | None = SECRET):
    headers = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(auth.encode()).decode()} if auth else {}
    return client.post(
        f"/anymail/{provider}/tracking/", json.dumps(payload), content_type="application/json", **headers
    )


def postmark(record_type: str, kind: str, address: str) -> dict:
    return {
        "RecordType": record_type,
        "ID": 4323372036854775807,
        "Type": kind,
        "TypeCode": 1 if kind == "HardBounce" else 512,
        "Name": kind,
        "Tag": "",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "ServerID": 23,
        "Description": "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": address,
        "From": "petition@example.org",
        "BouncedAt": "2026-11-05T16:33:54.9070259Z",
        "DumpAvailable": True,
        "Inactive": True,
        "CanActivate": True,
        "Subject": "Please confirm your signature",
        "MessageStream": "outbound",
    }


def mailgun(event: str, address: str, **extra) -> dict:
    """Mailgun's JSON tracking payload, signed with the webhook signing key as Mailgun signs it."""
    timestamp, token = "1764950400", "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0"
    signature = hmac.new(MAILGUN_KEY.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": {
            "event": event,
            "id": "G9Bn5sl1TC6nu79C8C0bwg",
            "timestamp": 1764950400.0,
            "recipient": address,
            "message": {"headers": {"message-id": "20261203061010.1.2F7E0A@petition.example.org"}},
            **extra,
        },
    }


def pending_with_confirmation_sent(email: str) -> Signature:
    return make_signature(make_campaign(), email=email, confirmation_sent_at=timezone.now())


@pytest.mark.parametrize(
    ("provider", "payload", "reason"),
    [
        ("postmark", postmark("Bounce", "HardBounce", "Gone.Away@Example.org"), "bounce"),
        ("postmark", postmark("SpamComplaint", "SpamComplaint", "Gone.Away@Example.org"), "complaint"),
        (
            "mailgun",
            mailgun(
                "failed",
                "Gone.Away@Example.org",
                severity="permanent",
                reason="bounce",
                **{"delivery-status": {"code": 550, "message": "5.1.1 No such user"}},
            ),
            "bounce",
        ),
        ("mailgun", mailgun("complained", "Gone.Away@Example.org"), "complaint"),
    ],
)
def test_a_bounce_or_complaint_suppresses_the_address_and_marks_the_confirmation_undeliverable(
    client, provider, payload, reason
):
    signature = pending_with_confirmation_sent("gone.away+petition@example.org")

    assert post(client, provider, payload).status_code == 200

    suppression = Suppression.objects.get()
    assert (suppression.email_canonical, suppression.reason) == ("gone.away@example.org", reason)
    signature.refresh_from_db()
    assert signature.undeliverable_at is not None


@pytest.mark.parametrize(
    ("provider", "payload"),
    [
        ("postmark", postmark("Bounce", "SoftBounce", "full@example.org")),
        ("mailgun", mailgun("failed", "full@example.org", severity="temporary", reason="generic")),
        ("mailgun", mailgun("delivered", "full@example.org")),
    ],
)
def test_temporary_bounces_and_deliveries_suppress_nothing(client, provider, payload):
    assert post(client, provider, payload).status_code == 200
    assert not Suppression.objects.exists()


@pytest.mark.parametrize("auth", [None, "hook:wrong", "someone:0f8e2c1d9b7a"])
@pytest.mark.parametrize("provider", ["postmark", "mailgun"])
def test_posts_without_the_webhook_secret_are_refused(client, auth, provider):
    payload = (
        postmark("Bounce", "HardBounce", "victim@example.org")
        if provider == "postmark"
        else mailgun("failed", "victim@example.org", severity="permanent")
    )
    response = post(client, provider, payload, auth=auth)

    assert response.status_code in (400, 401, 403)
    assert not Suppression.objects.exists()


def test_without_a_configured_secret_the_webhook_accepts_nothing(client, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "unset:not-known-to-anyone"}
    response = post(client, "postmark", postmark("Bounce", "HardBounce", "victim@example.org"), auth="user:guess")
    assert response.status_code in (400, 401, 403)
    assert not Suppression.objects.exists()


def test_a_mailgun_post_with_a_forged_signature_is_refused_even_with_the_secret(client):
    payload = mailgun("failed", "victim@example.org", severity="permanent")
    payload["signature"]["signature"] = "0" * 64
    assert post(client, "mailgun", payload).status_code in (400, 401, 403)
    assert not Suppression.objects.exists()


def post_raw(client, provider: str, body: bytes):
    auth = "Basic " + base64.b64encode(SECRET.encode()).decode()
    return client.post(f"/anymail/{provider}/tracking/", body, content_type="application/json", HTTP_AUTHORIZATION=auth)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b"[]",
        b"1",
        b"[" * 100_000,
        json.dumps({"RecordType": "Bounce", "Type": {"a": 1}, "Email": "a@example.org"}).encode(),
        json.dumps({**postmark("Bounce", "HardBounce", "a@example.org"), "BouncedAt": 5}).encode(),
        json.dumps([postmark("Bounce", "HardBounce", "a@example.org")] * 2).encode(),
    ],
)
def test_a_body_with_the_secret_that_no_provider_would_send_gets_a_400_not_a_500(client, body):
    assert post_raw(client, "postmark", body).status_code == 400
    assert not Suppression.objects.exists()


@pytest.mark.parametrize(
    "address",
    [
        "a@" + "b" * 400 + ".org",
        "gone\x00away@example.org",
        ["gone.away@example.org"],
    ],
)
def test_a_bounce_for_an_address_no_signature_could_have_is_answered_and_suppresses_nothing(client, address):
    assert post(client, "postmark", postmark("Bounce", "HardBounce", address)).status_code == 200
    assert not Suppression.objects.exists()


def test_a_bounce_for_half_a_utf16_pair_is_answered_and_suppresses_nothing(client):
    body = json.dumps(postmark("Bounce", "HardBounce", "PLACEHOLDER")).replace("PLACEHOLDER", "\\ud800@example.org")

    assert post_raw(client, "postmark", body.encode()).status_code == 200
    assert not Suppression.objects.exists()
