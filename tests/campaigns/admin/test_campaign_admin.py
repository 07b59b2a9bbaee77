"""Campaign management in the admin: validation, default milestones, open and close, preview, read-only counts."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from campaigns.models import DEFAULT_MILESTONES, Campaign
from tests.factories import make_campaign, make_organisation, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client):
    client.force_login(make_staff("Campaign managers"))
    return client


def form_data(**overrides) -> dict:
    data = {
        "title": "Ban face recognition",
        "slug": "ban-face-recognition",
        "summary": "",
        "body": "Text.",
        "language": "en",
        "goal": "1000000",
        "opens_at_0": "2030-01-01",
        "opens_at_1": "09:00:00",
        "closes_at_0": "2031-01-01",
        "closes_at_1": "09:00:00",
        "staff_emails": "",
        "retention_days": "365",
        "milestones-TOTAL_FORMS": "0",
        "milestones-INITIAL_FORMS": "0",
        "translations-TOTAL_FORMS": "0",
        "translations-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_it_refuses_a_closing_time_before_the_opening_time(manager_client):
    response = manager_client.post(
        reverse("admin:campaigns_campaign_add"), form_data(closes_at_0="2029-12-31")
    )
    assert response.status_code == 200
    assert "The closing time must be after the opening time." in response.content.decode()
    assert not Campaign.objects.exists()


def test_a_new_campaign_saved_without_milestones_gets_the_defaults(manager_client):
    lead, partner = make_organisation(), make_organisation()
    response = manager_client.post(
        reverse("admin:campaigns_campaign_add"),
        form_data(lead_organisation=str(lead.pk), partners=[str(partner.pk)], eci_thresholds="on"),
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert list(campaign.milestones.values_list("threshold", flat=True)) == list(DEFAULT_MILESTONES)
    assert campaign.status == "draft"
    assert campaign.lead_organisation == lead and list(campaign.partners.all()) == [partner]
    assert campaign.eci_thresholds is True


def test_a_new_campaign_keeps_the_milestones_it_was_given(manager_client):
    data = form_data(**{"milestones-TOTAL_FORMS": "1", "milestones-0-threshold": "5000"})
    manager_client.post(reverse("admin:campaigns_campaign_add"), data)
    assert list(Campaign.objects.get().milestones.values_list("threshold", flat=True)) == [5000]


def test_letting_any_site_embed_the_form_is_an_explicit_choice(manager_client):
    manager_client.post(reverse("admin:campaigns_campaign_add"), form_data())
    campaign = Campaign.objects.get()
    assert campaign.embed_on_any_site is False

    data = form_data(slug=campaign.slug, embed_on_any_site="on")
    assert manager_client.post(reverse("admin:campaigns_campaign_change", args=[campaign.pk]), data).status_code == 302

    campaign.refresh_from_db()
    assert campaign.embed_on_any_site is True


def test_counts_and_status_cannot_be_changed_through_the_form(manager_client):
    campaign = make_campaign(status="draft", signature_count=42)
    data = form_data(slug=campaign.slug, signature_count="999999", status="open")
    response = manager_client.post(reverse("admin:campaigns_campaign_change", args=[campaign.pk]), data)
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.signature_count == 42
    assert campaign.status == "draft"


def test_the_change_page_links_to_the_draft_preview_the_dashboard_and_the_open_button(manager_client):
    campaign = make_campaign(status="draft")
    page = manager_client.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk])).content.decode()
    assert campaign.get_absolute_url() in page
    assert "Preview the draft" in page
    assert reverse("admin:campaigns_campaign_dashboard", args=[campaign.pk]) in page
    assert reverse("admin:campaigns_campaign_open", args=[campaign.pk]) in page
    assert manager_client.get(campaign.get_absolute_url()).status_code == 200


def test_the_open_and_close_buttons_call_the_services_and_are_logged(manager_client):
    campaign = make_campaign(status="draft", opens_at=None)
    response = manager_client.post(reverse("admin:campaigns_campaign_open", args=[campaign.pk]))
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == "open" and campaign.accepts_signatures()
    manager_client.post(reverse("admin:campaigns_campaign_close", args=[campaign.pk]))
    campaign.refresh_from_db()
    assert campaign.status == "closed" and campaign.closed_at is not None
    assert LogEntry.objects.filter(object_id=str(campaign.pk)).count() == 2


def test_the_open_button_refuses_get(manager_client):
    campaign = make_campaign(status="draft")
    assert manager_client.get(reverse("admin:campaigns_campaign_open", args=[campaign.pk])).status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == "draft"


def test_opening_a_campaign_whose_closing_time_passed_warns(manager_client):
    campaign = make_campaign(status="closed", closes_at="2001-01-01T00:00:00Z", opens_at="2000-01-01T00:00:00Z")
    response = manager_client.post(reverse("admin:campaigns_campaign_open", args=[campaign.pk]), follow=True)
    assert "its closing time has passed" in response.content.decode()


def test_the_changelist_actions_open_and_close_campaigns(manager_client):
    first, second = make_campaign(status="draft"), make_campaign(status="draft")
    url = reverse("admin:campaigns_campaign_changelist")
    manager_client.post(url, {"action": "open_selected", "_selected_action": [first.pk, second.pk], "index": "0"})
    assert set(Campaign.objects.values_list("status", flat=True)) == {"open"}
    manager_client.post(url, {"action": "close_selected", "_selected_action": [first.pk], "index": "0"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("closed", "open")


def test_the_change_page_shows_confirmed_counts_per_partner(manager_client):
    from campaigns.models import PartnerCount

    partner = make_organisation(name="Friends of Privacy")
    campaign = make_campaign()
    campaign.partners.add(partner)
    PartnerCount.objects.create(campaign=campaign, organisation=partner, count=1234)
    page = manager_client.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk])).content.decode()
    assert "Friends of Privacy: 1,234" in page
