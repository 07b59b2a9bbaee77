"""Each campaign has a privacy notice: controller, what, why, how long, who receives it."""

import pytest
from django.urls import reverse

from tests.factories import make_campaign, make_organisation

pytestmark = pytest.mark.django_db


def notice_url(campaign) -> str:
    return reverse("campaigns:privacy", kwargs={"slug": campaign.slug})


def test_it_names_the_lead_organisation_as_controller_and_says_what_why_how_long_and_who(client, settings):
    settings.UNCONFIRMED_RETENTION_DAYS = 30
    lead = make_organisation(
        name="European Digital Rights Lead",
        website="https://lead.example.org",
        contact_email="privacy@lead.example.org",
        privacy_policy_url="https://lead.example.org/privacy",
    )
    partner = make_organisation(name="Partner Collective")
    campaign = make_campaign(lead_organisation=lead, retention_days=180)
    campaign.partners.add(partner)

    page = client.get(notice_url(campaign)).content.decode()

    assert "European Digital Rights Lead leads this petition and is the controller" in page
    assert "mailto:privacy@lead.example.org" in page
    assert 'href="https://lead.example.org/privacy"' in page
    assert "email address, country" in page  # what
    assert "never store the address itself" in page
    assert "confirmation email" in page  # why
    assert "deleted after 30 days" in page  # how long, unconfirmed
    assert "180 days after the petition closes" in page  # how long, retention
    assert "Partner Collective" in page  # who receives it
    assert "reCAPTCHA" not in page


def test_it_mentions_recaptcha_only_when_it_is_on(client, settings):
    settings.RECAPTCHA_ENABLED = True

    assert "Google reCAPTCHA" in client.get(notice_url(make_campaign())).content.decode()


def test_it_is_linked_from_the_privacy_checkbox_of_the_sign_form(client):
    campaign = make_campaign()

    page = client.get(campaign.get_absolute_url()).content.decode()

    checkbox = page.index('name="accept_privacy"')
    link = page.index(f'href="{notice_url(campaign)}"')
    assert 0 < link - checkbox < 600


def test_it_hides_the_notice_of_a_draft_from_the_public(client):
    assert client.get(notice_url(make_campaign(status="draft"))).status_code == 404
