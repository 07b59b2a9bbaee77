"""RFC 8058 one-click unsubscribe: the mailbox's button stops emails and leaves the signature counted."""

import email
import email.policy
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from signatures import links, outbox
from signatures.models import AuditEntry, Consent, Signature
from signatures.reminders import request_reminder
from tests.factories import make_campaign, make_consent, make_organisation, make_signature

pytestmark = pytest.mark.django_db


def sent_headers(signature) -> dict:
    Signature.objects.filter(pk=signature.pk).update(email_due="already_signed", email_requested_at=timezone.now())
    assert outbox.deliver_due_email(signature.pk)
    raw = mail.outbox[-1].message().as_bytes(linesep="\r\n")
    return email.message_from_bytes(raw, policy=email.policy.default)


def test_every_email_carries_one_click_headers_in_the_signers_language():
    signature = make_signature(make_campaign(), status="confirmed", language="de", is_counted=True)

    message = sent_headers(signature)

    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(r"<http://testserver/de/s/unsubscribe/\d+/[\w-]{43}/>", message["List-Unsubscribe"])
    # Not the withdraw-and-erase page.
    assert "/s/withdraw/" not in message["List-Unsubscribe"]


def test_a_one_click_post_from_a_mailbox_provider_stops_emails_and_the_signature_still_counts():
    campaign = make_campaign()
    signature = make_signature(campaign, status="confirmed", is_counted=True)
    consent = make_consent(signature, make_organisation())
    url = sent_headers(signature)["List-Unsubscribe"].strip("<>").removeprefix("http://testserver")
    provider = Client(enforce_csrf_checks=True)  # no cookies, no CSRF token, as a mailbox provider posts

    response = provider.post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 200
    signature.refresh_from_db()
    assert signature.emails_stopped_at is not None
    assert signature.status == "confirmed" and signature.is_counted and signature.email
    consent.refresh_from_db()
    assert consent.withdrawn_at is None, "the per-organisation choice stays the signer's"
    assert AuditEntry.objects.filter(action="emails_stopped", signature=signature).count() == 1
    # Posting again is harmless.
    assert provider.post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded").status_code == 200
    assert AuditEntry.objects.filter(action="emails_stopped").count() == 1


def test_once_stopped_no_reminder_is_owed_or_sent():
    signature = make_signature(make_campaign(), confirmation_sent_at=timezone.now(), emails_sent=1)
    Signature.objects.filter(pk=signature.pk).update(emails_stopped_at=timezone.now())

    assert request_reminder(signature.pk) is False
    Signature.objects.filter(pk=signature.pk).update(email_due="reminder", email_requested_at=timezone.now())
    assert outbox.deliver_due_email(signature.pk) is False
    assert mail.outbox == []


def test_the_page_behind_the_link_offers_each_organisation_and_a_separate_withdraw_link(client):
    signature = make_signature(make_campaign(), status="confirmed")
    lead, partner = make_organisation(name="Lead Org"), make_organisation(name="Partner Org")
    make_consent(signature, lead)
    make_consent(signature, partner)
    url = sent_headers(signature)["List-Unsubscribe"].strip("<>").removeprefix("http://testserver")

    page = client.get(url).content.decode()

    assert "Stop emails from Lead Org" in page and "Stop emails from Partner Org" in page
    assert "Stop all emails about this petition" in page
    assert f"/en/s/withdraw/{signature.pk}/" in page
    assert Signature.objects.get().emails_stopped_at is None, "opening the page changes nothing"

    client.post(url, {"organisation": str(partner.pk)}, HTTP_SEC_FETCH_SITE="same-origin")
    assert list(Consent.objects.filter(withdrawn_at__isnull=False).values_list("organisation__name", flat=True)) == [
        "Partner Org"
    ]
    assert Signature.objects.get().emails_stopped_at is None


def test_a_page_post_from_another_site_is_refused(client):
    signature = make_signature(make_campaign(), status="confirmed")
    url = sent_headers(signature)["List-Unsubscribe"].strip("<>").removeprefix("http://testserver")
    response = client.post(url, {"everything": "1"}, HTTP_SEC_FETCH_SITE="cross-site")
    assert response.status_code == 403
    assert Signature.objects.get().emails_stopped_at is None


def test_a_token_for_another_purpose_opens_no_unsubscribe_page(client):
    signature = make_signature(make_campaign(), status="confirmed")
    for purpose in (links.CONFIRM, links.MANAGE):
        token = links.token_for(signature, purpose)
        response = client.post(
            f"/en/s/unsubscribe/{signature.pk}/{token}/", "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )  # fmt: skip
        assert response.status_code == 404
    assert Signature.objects.get().emails_stopped_at is None
