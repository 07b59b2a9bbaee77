"""A signer stops one organisation's emails from the link; the signature still counts."""

import pytest
from django.urls import reverse

from signatures.models import AuditEntry, Consent
from tests.factories import make_campaign, make_consent, make_organisation, make_signature, unsubscribe_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def consents():
    signature = make_signature(make_campaign(), status="confirmed")
    lead, partner = make_organisation(name="Lead Org"), make_organisation(name="Partner Org")
    return signature, make_consent(signature, lead), make_consent(signature, partner)


def unsubscribe_url(signature, organisation, token=None) -> str:
    return reverse(
        "signatures:unsubscribe",
        kwargs={"pk": signature.pk, "token": token or unsubscribe_token(signature, organisation.pk), "organisation_id": organisation.pk},
    )


def test_it_asks_before_stopping_so_link_scanners_change_nothing(client, consents):
    signature, lead_consent, _ = consents

    response = client.get(unsubscribe_url(signature, lead_consent.organisation))

    assert response.status_code == 200
    assert "Stop emails from Lead Org" in response.content.decode()
    assert not Consent.objects.filter(withdrawn_at__isnull=False).exists()


def test_it_stops_only_that_organisation_and_keeps_the_signature(client, consents):
    signature, lead_consent, partner_consent = consents

    response = client.post(unsubscribe_url(signature, lead_consent.organisation))

    assert response.status_code == 200
    assert "You no longer receive emails from Lead Org" in response.content.decode()
    lead_consent.refresh_from_db()
    partner_consent.refresh_from_db()
    assert lead_consent.withdrawn_at is not None
    assert partner_consent.withdrawn_at is None
    signature.refresh_from_db()
    assert signature.status == "confirmed" and signature.email
    audit = AuditEntry.objects.get(action="consent_withdrawn")
    assert audit.signature == signature
    assert audit.detail == {"organisation_id": lead_consent.organisation_id, "by": "signer"}


def test_it_says_so_when_already_stopped_and_records_nothing_twice(client, consents):
    signature, lead_consent, _ = consents
    url = unsubscribe_url(signature, lead_consent.organisation)
    client.post(url)

    client.post(url)
    again = client.get(url)

    assert "You no longer receive emails from Lead Org" in again.content.decode()
    assert AuditEntry.objects.filter(action="consent_withdrawn").count() == 1


def test_it_answers_404_to_a_wrong_token_or_an_organisation_never_agreed_to(client, consents):
    signature, lead_consent, _ = consents
    stranger = make_organisation()

    assert client.post(unsubscribe_url(signature, lead_consent.organisation, token="x" * 43)).status_code == 404
    assert client.post(unsubscribe_url(signature, stranger)).status_code == 404
    assert not Consent.objects.filter(withdrawn_at__isnull=False).exists()
