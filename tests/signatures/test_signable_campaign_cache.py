"""The sign step keeps the campaign in the cache, and never signs on a state the staff have changed."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from campaigns import services
from campaigns.models import Campaign
from campaigns.selectors import campaign_cache_key
from signatures.models import Consent, Signature
from tests.factories import make_campaign, make_organisation, make_staff, sign_data

pytestmark = pytest.mark.django_db


def sign_url(campaign) -> str:
    return reverse("signatures:sign", kwargs={"slug": campaign.slug})


def test_it_keeps_the_campaign_in_the_cache_between_sign_posts(client, django_assert_num_queries):
    campaign = make_campaign(lead_organisation=make_organisation())
    client.post(sign_url(campaign), sign_data())

    # The INSERT of the signature, its consents and the transaction: no campaign or organisation read.
    with django_assert_num_queries(4) as queries:
        assert client.post(sign_url(campaign), sign_data(contact_consent="on")).status_code == 302

    assert not any('FROM "campaigns_' in query["sql"] for query in queries.captured_queries)
    assert Signature.objects.filter(campaign=campaign).count() == 2


def test_it_stops_signing_as_soon_as_the_campaign_is_closed(client, django_capture_on_commit_callbacks):
    campaign = make_campaign()
    assert client.post(sign_url(campaign), sign_data()).status_code == 302

    with django_capture_on_commit_callbacks(execute=True):
        services.close_campaign(campaign)
    response = client.post(sign_url(campaign), sign_data())

    assert response.status_code == 302 and response["Location"] == campaign.get_absolute_url()
    assert Signature.objects.filter(campaign=campaign).count() == 1


def test_it_signs_again_as_soon_as_the_campaign_is_reopened(client):
    campaign = make_campaign(status=Campaign.Status.CLOSED)
    client.post(sign_url(campaign), sign_data())

    services.open_campaign(campaign)

    assert client.post(sign_url(campaign), sign_data())["Location"].endswith("/thanks/")
    assert Signature.objects.filter(campaign=campaign).count() == 1


def test_it_forgets_the_campaign_when_staff_edit_it_in_the_admin(client):
    campaign = make_campaign(slug="ban-face-recognition", goal=1000)
    client.post(sign_url(campaign), sign_data())
    staff = client.__class__()
    staff.force_login(make_staff("Campaign managers"))
    past_closing = {
        "title": campaign.title, "slug": campaign.slug, "summary": "", "body": "Text.", "language": "en",
        "goal": "1000", "opens_at_0": "2000-01-01", "opens_at_1": "09:00:00", "closes_at_0": "2001-01-01",
        "closes_at_1": "09:00:00", "staff_emails": "", "retention_days": "365",
        "milestones-TOTAL_FORMS": "0", "milestones-INITIAL_FORMS": "0",
        "translations-TOTAL_FORMS": "0", "translations-INITIAL_FORMS": "0",
    }  # fmt: skip

    assert staff.post(reverse("admin:campaigns_campaign_change", args=[campaign.pk]), past_closing).status_code == 302
    response = client.post(sign_url(campaign), sign_data())

    campaign.refresh_from_db()
    assert campaign.closes_at.year == 2001
    assert response["Location"] == campaign.get_absolute_url()  # closed by its closing time
    assert Signature.objects.filter(campaign=campaign).count() == 1


def test_it_records_the_lead_organisations_new_name_once_staff_rename_it(client):
    lead = make_organisation(name="Old name")
    campaign = make_campaign(lead_organisation=lead)
    client.post(sign_url(campaign), sign_data())
    staff = client.__class__()
    staff.force_login(make_staff("Campaign managers"))

    staff.post(
        reverse("admin:campaigns_organisation_change", args=[lead.pk]),
        {"name": "New name", "slug": lead.slug, "website": "", "contact_email": lead.contact_email},
    )
    lead.refresh_from_db()
    assert lead.name == "New name"
    client.post(sign_url(campaign), sign_data(contact_consent="on"))

    assert "New name" in Consent.objects.get(organisation=lead).text_shown


def test_it_hides_a_draft_from_the_public_even_when_cached(client):
    campaign = make_campaign(status=Campaign.Status.DRAFT)
    staff = client.__class__()
    staff.force_login(make_staff(superuser=True))
    staff.post(sign_url(campaign), sign_data())

    assert client.post(sign_url(campaign), sign_data()).status_code == 404


def test_it_keeps_nothing_for_a_campaign_that_does_not_exist(client):
    assert client.post("/en/no-such-campaign/sign/", sign_data()).status_code == 404
    assert cache.get(campaign_cache_key("no-such-campaign")) is None
