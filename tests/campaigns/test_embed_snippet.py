import html

import pytest
from django.urls import reverse

from campaigns.embed_snippets import embed_snippet
from tests.factories import make_campaign, make_organisation

pytestmark = pytest.mark.django_db


def test_it_builds_a_snippet_that_credits_the_partner(settings):
    settings.SITE_URL = "https://petition.example.org"
    partner = make_organisation(slug="digital-rights")
    campaign = make_campaign(slug="ban-face-surveillance", title="Ban face surveillance", language="de")

    snippet = embed_snippet(campaign, partner)

    assert 'src="https://petition.example.org/de/ban-face-surveillance/embed/?via=digital-rights"' in snippet
    assert 'title="Petition unterschreiben: Ban face surveillance"' in snippet
    assert '<script src="https://petition.example.org/static/js/embed.js" async></script>' in snippet
    assert "data-petition-embed" in snippet


def test_it_shows_each_organisations_snippet_on_the_campaign_admin_page(admin_client):
    lead = make_organisation(name="Lead Org", slug="lead-org")
    partner = make_organisation(name="Partner Org", slug="partner-org")
    campaign = make_campaign(lead_organisation=lead)
    campaign.partners.add(partner)

    response = admin_client.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk]))

    page = html.unescape(response.text)
    assert response.status_code == 200
    assert f"/{campaign.slug}/embed/?via=lead-org" in page
    assert f"/{campaign.slug}/embed/?via=partner-org" in page
    assert "<textarea readonly" in response.text


def test_the_admin_says_where_each_snippet_works_and_offers_the_any_site_opt_in(admin_client):
    lead = make_organisation(name="Lead Org", slug="lead-org", website="https://lead.example/about")
    partner = make_organisation(name="Partner Org", slug="partner-org", website="")
    campaign = make_campaign(lead_organisation=lead)
    campaign.partners.add(partner)

    page = html.unescape(admin_client.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk])).text)

    assert 'name="embed_on_any_site"' in page
    assert "works on https://lead.example" in page
    assert "no website registered for this organisation" in page
    assert "The form shows only on the websites registered for these organisations" in page

