import pytest

from signatures.models import Consent, Signature
from signatures.services import withdraw_consent
from tests.factories import make_campaign, make_organisation, make_signature

pytestmark = pytest.mark.django_db


@pytest.fixture
def consenting_signature():
    lead, partner = make_organisation(), make_organisation()
    campaign = make_campaign(lead_organisation=lead)
    campaign.partners.add(partner)
    signature = make_signature(campaign, partner=partner, contact_consent=True, status="confirmed")
    for organisation in (lead, partner):
        Consent.objects.create(signature=signature, organisation=organisation, text_shown="words")
    return signature, lead, partner


def test_it_withdraws_one_organisations_consent_and_keeps_the_others(consenting_signature):
    signature, lead, partner = consenting_signature
    assert withdraw_consent(signature.pk, partner.pk) is True
    assert Consent.objects.get(organisation=partner).withdrawn_at is not None
    assert Consent.objects.get(organisation=lead).withdrawn_at is None
    signature.refresh_from_db()
    assert signature.contact_consent is True
    assert signature.status == "confirmed"


def test_withdrawing_the_lead_organisations_consent_clears_contact_consent(consenting_signature):
    signature, lead, _ = consenting_signature
    withdraw_consent(signature.pk, lead.pk)
    assert Signature.objects.get(pk=signature.pk).contact_consent is False


def test_it_says_when_there_was_nothing_left_to_withdraw(consenting_signature):
    signature, _, partner = consenting_signature
    withdraw_consent(signature.pk, partner.pk)
    first = Consent.objects.get(organisation=partner).withdrawn_at
    assert withdraw_consent(signature.pk, partner.pk) is False
    assert Consent.objects.get(organisation=partner).withdrawn_at == first
    assert withdraw_consent(signature.pk, make_organisation().pk) is False
