"""A partner's API key records signatures only for campaigns its organisation leads or backs."""

import json

import pytest

from campaigns.api_keys import issue_key
from campaigns.models import PartnerCount
from signatures.models import ApiRequest, Consent, Signature
from tests.factories import make_campaign, make_organisation

pytestmark = pytest.mark.django_db

BODY = {
    "first_name": "Marie", "last_name": "Curie", "email": "marie@example.org", "country": "FR",
    "postcode": "75005", "accept_privacy": True, "partner_consent": True,
}  # fmt: skip


def post(client, campaign, key, **headers):
    return client.post(
        f"/api/campaigns/{campaign.slug}/signatures/", json.dumps(BODY), content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}", **headers,
    )  # fmt: skip


def test_a_key_is_refused_on_a_campaign_its_organisation_takes_no_part_in(client):
    outsider = make_organisation(name="Not a partner")
    campaign = make_campaign(lead_organisation=make_organisation(name="Lead"))
    campaign.partners.add(make_organisation(name="Real partner"))
    key = issue_key(outsider, "website")[1]

    response = post(client, campaign, key, HTTP_IDEMPOTENCY_KEY="one")

    assert response.status_code == 403
    assert "detail" in response.json()
    assert not Signature.objects.exists()
    assert not Consent.objects.exists()
    assert not ApiRequest.objects.exists()
    assert not PartnerCount.objects.exists()


@pytest.mark.parametrize("role", ["lead", "partner"])
def test_the_lead_and_the_partners_keys_are_taken(client, role):
    organisation = make_organisation()
    campaign = make_campaign(lead_organisation=organisation if role == "lead" else make_organisation())
    if role == "partner":
        campaign.partners.add(organisation)

    assert post(client, campaign, issue_key(organisation, "website")[1]).status_code == 202
    assert Signature.objects.count() == 1
