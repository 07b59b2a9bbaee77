"""Webhooks out, on the real stack: a receiver on loopback that is down, then up, gets every event once, signed, in order."""

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from campaigns.webhook_secrets import new_webhook_secret
from signatures import services, webhooks
from signatures.models import Signature, WebhookDelivery, WebhookEvent
from signatures.tasks import sweep_webhooks
from signatures.webhook_events import record_test_event
from tests.factories import (
    confirm_token,
    make_campaign,
    make_consent,
    make_organisation,
    make_signature,
    manage_token,
)

pytestmark = pytest.mark.django_db(transaction=True)


def confirm(signature):
    """Confirm through the service as a signer's link does (one place to adapt when links change)."""
    return services.confirm(signature.pk, confirm_token(signature))


def withdraw(signature):
    return services.withdraw(signature.pk, manage_token(signature))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Receiver:
    """A CRM's webhook endpoint on loopback that keeps what it was sent."""

    def __init__(self, port: int):
        self.port = port
        self.received = []
        self.server = None

    def start(self):
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append(({name.lower(): value for name, value in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()


@pytest.fixture
def receiver():
    endpoint = Receiver(free_port())
    yield endpoint
    endpoint.stop()


@pytest.fixture
def debug(settings):
    settings.DEBUG = True  # plain http to loopback is allowed only in development


def time_passes():
    """Every backoff is over."""
    WebhookEvent.objects.update(next_attempt_at=timezone.now())


def test_every_event_arrives_once_signed_and_in_order_after_the_receiver_comes_back(
    receiver, debug, django_capture_on_commit_callbacks
):
    crm = make_organisation(webhook_url=f"http://127.0.0.1:{receiver.port}/hook", webhook_secret=new_webhook_secret())
    other = make_organisation(webhook_url=f"http://127.0.0.1:{receiver.port}/other", webhook_secret=new_webhook_secret())
    campaign = make_campaign(lead_organisation=crm)
    signers = [make_signature(campaign) for _ in range(3)]
    for signer in signers:
        make_consent(signer, crm)
    not_consented = make_signature(campaign)

    # The receiver is down: each event is tried, logged and kept.
    with django_capture_on_commit_callbacks(execute=True):
        for signer in signers:
            confirm(signer)
        confirm(not_consented)
        services.withdraw_consent(signers[1].pk, crm.pk)
        withdraw(signers[0])
    assert WebhookEvent.objects.filter(delivered_at__isnull=True).count() == 5
    assert WebhookDelivery.objects.filter(succeeded=False).exists()
    assert not WebhookEvent.objects.filter(organisation=other).exists()

    receiver.start()
    for _ in range(6):
        time_passes()
        sweep_webhooks()

    assert WebhookEvent.objects.filter(delivered_at__isnull=True).count() == 0
    assert len(receiver.received) == 5
    verifier = Webhook(crm.webhook_secret)
    events = [verifier.verify(body, headers) for headers, body in receiver.received]
    ids = [headers["webhook-id"] for headers, _ in receiver.received]
    assert len(set(ids)) == 5
    assert [(e["type"], e["data"]["signature_id"]) for e in events] == [
        ("signature.confirmed", signers[0].pk),
        ("signature.confirmed", signers[1].pk),
        ("signature.confirmed", signers[2].pk),
        ("consent.withdrawn", signers[1].pk),
        ("signature.withdrawn", signers[0].pk),
    ]
    confirmed = events[0]["data"]
    assert confirmed["email"] == signers[0].email and confirmed["consent"]["text"]
    assert "postcode" not in confirmed and "ip_hash" not in confirmed
    assert set(events[4]["data"]) == {"signature_id", "campaign", "email"}
    # Once delivered, the log keeps no personal data.
    assert not any("email" in event.payload["data"] for event in WebhookEvent.objects.all())


def test_a_tampered_body_fails_verification(receiver, debug, django_capture_on_commit_callbacks):
    crm = make_organisation(webhook_url=f"http://127.0.0.1:{receiver.port}/", webhook_secret=new_webhook_secret())
    signer = make_signature(make_campaign())
    make_consent(signer, crm)
    receiver.start()

    with django_capture_on_commit_callbacks(execute=True):
        confirm(signer)

    headers, body = receiver.received[0]
    Webhook(crm.webhook_secret).verify(body, headers)
    with pytest.raises(Exception, match="signature"):
        Webhook(crm.webhook_secret).verify(body.replace(b"confirmed", b"withdrawn"), headers)
    with pytest.raises(Exception, match="signature"):
        Webhook(new_webhook_secret()).verify(body, headers)


def test_an_unconfirmed_signer_is_never_announced(receiver, debug, django_capture_on_commit_callbacks):
    crm = make_organisation(webhook_url=f"http://127.0.0.1:{receiver.port}/", webhook_secret=new_webhook_secret())
    signer = make_signature(make_campaign())
    make_consent(signer, crm)
    receiver.start()

    with django_capture_on_commit_callbacks(execute=True):
        withdraw(signer)

    assert receiver.received == []
    assert Signature.objects.get(pk=signer.pk).status == Signature.Status.WITHDRAWN


def test_a_failing_event_holds_back_the_later_ones_until_it_is_through(receiver, debug):
    crm = make_organisation(webhook_url=f"http://127.0.0.1:{receiver.port}/", webhook_secret=new_webhook_secret())
    first = record_test_event(crm.pk)
    second = record_test_event(crm.pk)

    webhooks.deliver_due(crm.pk)
    first.refresh_from_db()
    assert first.attempts == 1 and first.next_attempt_at > timezone.now()
    assert WebhookEvent.objects.get(pk=second.pk).attempts == 0

    receiver.start()
    webhooks.deliver_due(crm.pk)
    assert receiver.received == []  # the first is still waiting out its backoff
    time_passes()
    webhooks.deliver_due(crm.pk)
    assert [json.loads(body)["type"] for _, body in receiver.received] == ["webhook.test", "webhook.test"]
    assert [headers["webhook-id"] for headers, _ in receiver.received] == [first.message_id, second.message_id]


def test_the_signature_header_matches_the_specifications_example():
    # The example in the Standard Webhooks specification.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = '{"test": 2432232314}'
    assert (
        webhooks.signature_header(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
        == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )
