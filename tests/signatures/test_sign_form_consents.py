"""Partner attribution and per-organisation consent, from the petition page through the sign form."""

import pytest
from django.urls import reverse

from signatures.models import Consent, Signature
from tests.factories import make_campaign, make_organisation, sign_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def coalition():
    lead = make_organisation(name="Reclaim Your Face", slug="ryf")
    partner = make_organisation(name="Digital Rights Partner", slug="drp")
    campaign = make_campaign(lead_organisation=lead)
    campaign.partners.add(partner)
    return campaign, lead, partner


def sign(client, campaign, **fields):
    return client.post(reverse("signatures:sign", kwargs={"slug": campaign.slug}), sign_data(**fields))


def test_it_asks_for_each_organisations_consent_separately_and_unticked(client, coalition):
    campaign, lead, partner = coalition
    page = client.get(campaign.get_absolute_url() + "?via=drp").content.decode()
    assert "Reclaim Your Face may contact me about this campaign" in page
    assert "Digital Rights Partner, who shared this petition with me, may contact me" in page
    assert 'name="contact_consent"' in page and 'name="partner_consent"' in page
    assert "checked" not in page.split('name="contact_consent"')[1].split(">")[0]
    assert "checked" not in page.split('name="partner_consent"')[1].split(">")[0]


def test_it_shows_no_partner_checkbox_without_a_referring_partner(client, coalition):
    campaign, _, _ = coalition
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert 'name="partner_consent"' not in page
    assert "Reclaim Your Face may contact me" in page


def test_it_credits_the_partner_and_stores_each_consent_with_the_words_shown(client, coalition):
    campaign, lead, partner = coalition
    sign(client, campaign, via="drp", contact_consent="on", partner_consent="on", utm_source="newsletter",
         utm_campaign="spring")  # fmt: skip
    signature = Signature.objects.get()
    assert signature.partner == partner
    assert (signature.utm_source, signature.utm_campaign) == ("newsletter", "spring")
    assert signature.contact_consent is True
    consents = {consent.organisation_id: consent for consent in Consent.objects.filter(signature=signature)}
    assert set(consents) == {lead.pk, partner.pk}
    assert consents[lead.pk].text_shown == (
        "Keep me informed by email: Reclaim Your Face may contact me about this campaign and its work."
    )
    assert consents[partner.pk].text_shown == (
        "Keep me informed by email: Digital Rights Partner, who shared this petition with me, may contact me "
        "about its work."
    )
    assert all(consent.given_at and consent.withdrawn_at is None for consent in consents.values())


def test_it_stores_only_the_consents_ticked(client, coalition):
    campaign, lead, partner = coalition
    sign(client, campaign, via="drp", partner_consent="on")
    signature = Signature.objects.get()
    assert signature.contact_consent is False
    assert list(Consent.objects.values_list("organisation_id", flat=True)) == [partner.pk]


def test_it_ignores_unknown_partner_slugs_and_a_partner_consent_without_a_partner(client, coalition):
    campaign, _, _ = coalition
    sign(client, campaign, via="no-such-org", partner_consent="on")
    signature = Signature.objects.get()
    assert signature.partner is None
    assert not Consent.objects.exists()


def test_it_does_not_credit_an_organisation_that_is_not_in_the_campaign(client, coalition):
    campaign, _, _ = coalition
    make_organisation(slug="stranger")
    sign(client, campaign, via="stranger")
    assert Signature.objects.get().partner is None


def test_it_cuts_overlong_utm_values_to_their_column(client, coalition):
    campaign, _, _ = coalition
    sign(client, campaign, utm_source="s" * 300)
    assert Signature.objects.get().utm_source == "s" * 100


def test_it_records_no_consent_row_for_a_campaign_without_a_lead_organisation(client):
    campaign = make_campaign()
    sign(client, campaign, contact_consent="on")
    signature = Signature.objects.get()
    assert signature.contact_consent is True
    assert not Consent.objects.exists()


def test_it_adds_no_consents_when_the_same_address_signs_again(client, coalition):
    campaign, _, _ = coalition
    sign(client, campaign, email="ada@example.org")
    sign(client, campaign, email="ada@example.org", via="drp", contact_consent="on", partner_consent="on")
    assert Signature.objects.count() == 1
    assert not Consent.objects.exists()


def test_the_path_form_of_a_partner_link_redirects_to_the_via_link(client, coalition):
    campaign, _, _ = coalition
    url = reverse("campaigns:partner_link", kwargs={"slug": campaign.slug, "organisation": "drp"})
    response = client.get(url + "?utm_source=mastodon&other=x")
    assert response.status_code == 302
    assert response["Location"] == campaign.get_absolute_url() + "?via=drp&utm_source=mastodon"
    page = client.get(response["Location"]).content.decode()
    assert 'name="via" value="drp"' in page


def test_the_path_form_of_a_partner_link_is_404_for_an_unknown_campaign(client):
    url = reverse("campaigns:partner_link", kwargs={"slug": "nothing-here", "organisation": "drp"})
    assert client.get(url).status_code == 404
