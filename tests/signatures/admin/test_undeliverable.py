"""Staff see confirmations that bounced: per campaign on the dashboard, per signature in the admin."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_campaign, make_signature, make_staff
from tests.staff import log_in_staff

pytestmark = pytest.mark.django_db


def test_the_dashboard_counts_the_campaigns_undeliverable_confirmations(client):
    client.force_login(make_staff("Campaign managers"))
    campaign, other = make_campaign(), make_campaign()
    for _ in range(3):
        make_signature(campaign, undeliverable_at=timezone.now())
    make_signature(campaign)
    make_signature(other, undeliverable_at=timezone.now())

    page = client.get(reverse("admin:campaigns_campaign_dashboard", args=[campaign.pk])).content.decode()

    assert "Confirmations undeliverable (bounced or refused) <strong>3</strong>" in page


def test_a_signature_whose_confirmation_bounced_is_shown_as_undeliverable(client):
    log_in_staff(client, make_staff("Moderators"))
    campaign = make_campaign()
    bounced = make_signature(campaign, undeliverable_at=timezone.now())
    delivered = make_signature(campaign)
    url = reverse("admin:signatures_signature_changelist")

    listed = client.get(url).content.decode()
    only_bounced = client.get(url, {"undeliverable_at__isempty": "0"}).content.decode()

    assert "Pending, undeliverable" in listed
    assert f"/{bounced.pk}/change/" in only_bounced and f"/{delivered.pk}/change/" not in only_bounced
    detail = client.get(reverse("admin:signatures_signature_change", args=[bounced.pk])).content.decode()
    assert "Undeliverable at" in detail or "undeliverable" in detail.lower()
