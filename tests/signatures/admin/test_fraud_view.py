"""The fraud view: the domains and address hashes with the most signatures lately, linking to the list."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from signatures.models import Signature
from tests.factories import make_campaign, make_signature, make_staff
from tests.staff import log_in_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator_client(client):
    log_in_staff(client, make_staff("Moderators"))
    return client


def test_it_ranks_domains_and_address_hashes_per_window_and_links_to_the_matching_signatures(moderator_client):
    campaign = make_campaign()
    burst_hash = "b" * 64
    for n in range(4):
        make_signature(campaign, email=f"bot{n}@burst.example", ip_hash=burst_hash)
    make_signature(campaign, email="someone@quiet.example", ip_hash="c" * 64)
    yesterday = make_signature(campaign, email="early@early.example", ip_hash="d" * 64)
    Signature.objects.filter(pk=yesterday.pk).update(created_at=timezone.now() - timedelta(hours=5))
    make_signature(make_campaign(), email="other@burst.example", ip_hash=burst_hash)  # another campaign

    response = moderator_client.get(reverse("admin:campaigns_campaign_fraud", args=[campaign.pk]))
    hour, day = response.context["windows"]
    assert hour["total"] == 5 and day["total"] == 6
    assert [(row["email_domain"], row["signatures"]) for row in hour["domains"]] == [
        ("burst.example", 4),
        ("quiet.example", 1),
    ]
    assert [row["email_domain"] for row in day["domains"]] == ["burst.example", "early.example", "quiet.example"]
    assert (hour["ip_hashes"][0]["ip_hash"], hour["ip_hashes"][0]["signatures"]) == (burst_hash, 4)

    link = hour["domains"][0]["list_url"]
    query = {key: values[0] for key, values in parse_qs(urlsplit(link).query).items()}
    assert query == {"campaign__id__exact": str(campaign.pk), "signed_within": "hour", "email_domain": "burst.example"}
    listed = moderator_client.get(link).context["cl"].result_list
    assert {signature.email for signature in listed} == {f"bot{n}@burst.example" for n in range(4)}

    invalidate = moderator_client.get(hour["ip_hashes"][0]["invalidate_url"])
    assert invalidate.context["form"].initial["ip_hash"] == burst_hash


def test_it_needs_permission_to_see_signatures(client):
    client.force_login(make_staff("Campaign managers"))
    assert client.get(reverse("admin:campaigns_campaign_fraud", args=[make_campaign().pk])).status_code == 403
