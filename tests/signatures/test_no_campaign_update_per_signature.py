"""Confirming and reading never write the campaign row per signature (the UK petitions lesson of 2019)."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.models import Campaign
from petition.prepared import written_out
from signatures import fold, services
from tests.factories import confirm_token, make_campaign, make_signature

pytestmark = pytest.mark.django_db


def campaign_updates(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith('UPDATE "campaigns_campaign"')]


def test_confirmations_leave_the_campaign_row_alone_until_one_fold_takes_them_all(
    client, django_capture_on_commit_callbacks
):
    campaign = make_campaign()
    signatures = [make_signature(campaign) for _ in range(20)]
    # A fold is already waiting in the broker, as on a busy day: confirmations add nothing to the queue.
    cache.add(fold.fold_queued_key(campaign.pk), 1, timeout=services.FOLD_QUEUED_TTL)

    with CaptureQueriesContext(connection) as confirming:
        with django_capture_on_commit_callbacks(execute=True):
            for signature in signatures:
                url = reverse("signatures:confirm", kwargs={"pk": signature.pk, "token": confirm_token(signature)})
                assert client.post(url).status_code == 200

    assert campaign_updates(confirming) == []
    assert Campaign.objects.get(pk=campaign.pk).signature_count == 0
    assert cache.get(fold.fold_queued_key(campaign.pk)) == 1

    with CaptureQueriesContext(connection) as folding:
        assert fold.fold_counts(campaign.pk) == 20

    assert len(campaign_updates(folding)) == 1
    assert Campaign.objects.get(pk=campaign.pk).signature_count == 20


def test_reading_the_count_writes_nothing(client):
    campaign = make_campaign()
    make_signature(campaign, status="confirmed")
    fold.fold_counts(campaign.pk)
    cache.clear()

    with CaptureQueriesContext(connection) as reading:
        for _ in range(3):
            assert client.get(campaign.get_absolute_url()).status_code == 200
            assert client.get(reverse("api:campaign-detail", kwargs={"slug": campaign.slug})).status_code == 200
            assert client.get(reverse("api:campaign-list")).status_code == 200
            assert client.get(reverse("campaigns:list")).status_code == 200

    sent = [written_out(q["sql"]) for q in reading.captured_queries]  # a prepared write shows as EXECUTE
    writes = [sql for sql in sent if sql.split()[0] in ("UPDATE", "INSERT", "DELETE")]
    assert writes == []
