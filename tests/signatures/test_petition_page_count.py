import re

import pytest
from django.urls import reverse

from signatures import fold
from tests.factories import make_campaign, make_signature

pytestmark = pytest.mark.django_db


def test_it_shows_the_count_without_javascript(client):
    campaign = make_campaign(goal=1000)
    for _ in range(3):
        make_signature(campaign, status="confirmed")
    make_signature(campaign)
    fold.fold_counts(campaign.pk)

    content = client.get(campaign.get_absolute_url()).content.decode()

    assert (
        f'<p class="progress-figures" id="progress-figures-{campaign.slug}"><strong class="count" data-count>3</strong>'
        in content
    )
    assert "signatures of 1,000" in content
    progress = re.search(r"<progress [^>]*>[^<]*</progress>", content).group(0)
    assert 'max="1000"' in progress and 'value="3"' in progress
    assert f'aria-labelledby="progress-figures-{campaign.slug}"' in progress
    assert ">0%</progress>" in progress


def test_it_formats_the_count_for_the_page_language(client):
    from campaigns.models import Campaign

    campaign = make_campaign()
    Campaign.objects.filter(pk=campaign.pk).update(signature_count=123_456)

    assert b"data-count>123.456</strong>" in client.get(f"/de/{campaign.slug}/").content


def test_it_refreshes_the_count_from_the_api_with_javascript(client, settings):
    settings.COUNT_POLL_SECONDS = 10
    campaign = make_campaign()

    content = client.get(campaign.get_absolute_url()).content.decode()

    api_url = reverse("api:campaign-detail", kwargs={"slug": campaign.slug})
    assert f'data-count-url="{api_url}" data-count-interval="10"' in content
    assert '<script src="/static/js/count.js" defer></script>' in content
    assert client.get(api_url).status_code == 200


def test_a_draft_preview_does_not_poll_the_api_it_cannot_read(client):
    from django.contrib.auth import get_user_model

    from campaigns.models import Campaign

    client.force_login(get_user_model().objects.create_user("staff", password="x" * 16, is_staff=True))
    campaign = make_campaign(status=Campaign.Status.DRAFT)

    content = client.get(campaign.get_absolute_url()).content

    assert b"data-count-url" not in content and b"count.js" not in content
