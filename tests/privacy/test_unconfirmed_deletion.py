"""Signatures never confirmed are deleted after UNCONFIRMED_RETENTION_DAYS."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from signatures.models import AuditEntry, Consent, Signature
from signatures.tasks import delete_unconfirmed
from tests.factories import confirm_token, make_campaign, make_consent, make_organisation, make_signature, manage_token

pytestmark = pytest.mark.django_db


def signed_days_ago(campaign, days: float, **fields) -> Signature:
    signature = make_signature(campaign, **fields)
    Signature.objects.filter(pk=signature.pk).update(created_at=timezone.now() - timedelta(days=days))
    return signature


def test_it_deletes_pending_signatures_older_than_the_setting_and_their_consents(settings):
    settings.UNCONFIRMED_RETENTION_DAYS = 30
    campaign = make_campaign()
    stale = signed_days_ago(campaign, 31)
    make_consent(stale, make_organisation())
    fresh = signed_days_ago(campaign, 29)

    assert delete_unconfirmed.delay().get() == 1

    assert list(Signature.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not Consent.objects.exists()
    audit = AuditEntry.objects.get(action="unconfirmed_deleted")
    assert audit.campaign == campaign
    assert audit.detail == {"count": 1, "days": 30}


def test_it_follows_the_configured_number_of_days(settings):
    settings.UNCONFIRMED_RETENTION_DAYS = 7
    signed_days_ago(make_campaign(), 8)

    assert delete_unconfirmed.delay().get() == 1


def test_it_keeps_confirmed_withdrawn_and_rejected_signatures():
    campaign = make_campaign()
    signed_days_ago(campaign, 400, status="confirmed")
    signed_days_ago(campaign, 400, status="withdrawn")
    signed_days_ago(campaign, 400, status="rejected")

    assert delete_unconfirmed.delay().get() == 0
    assert Signature.objects.count() == 3


def test_it_deletes_in_batches(monkeypatch):
    from signatures import retention

    monkeypatch.setattr(retention, "BATCH", 2)
    campaign = make_campaign()
    for _ in range(5):
        signed_days_ago(campaign, 31)

    assert retention.delete_unconfirmed() == 5
    assert not Signature.objects.exists()
    assert sum(entry.detail["count"] for entry in AuditEntry.objects.filter(action="unconfirmed_deleted")) == 5


@pytest.mark.parametrize("action", ["confirm", "withdraw"])
def test_it_answers_404_when_the_signature_is_deleted_while_its_link_is_opened(client, monkeypatch, action):
    from signatures import services

    signature = signed_days_ago(make_campaign(), 31)
    lookup = "find_to_confirm" if action == "confirm" else "find_by_token"
    find = getattr(services, lookup)

    def found_then_deleted(*args):
        found = find(*args)
        Signature.objects.filter(pk=found.pk).delete()  # the deletion task wins the race
        return found

    monkeypatch.setattr(services, lookup, found_then_deleted)
    token = confirm_token(signature) if action == "confirm" else manage_token(signature)
    url = reverse(f"signatures:{action}", kwargs={"pk": signature.pk, "token": token})

    response = client.post(url)

    assert response.status_code == 404
