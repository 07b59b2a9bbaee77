"""manage.py seed_signatures: synthetic signatures by COPY, with consents, counted and reconciled."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from campaigns.models import CountryCount, PartnerCount
from signatures.models import Consent, Signature
from signatures.reminders import reminders_due
from tests.factories import make_campaign, make_organisation

pytestmark = pytest.mark.django_db


def test_it_fills_a_campaign_with_realistic_rows_and_reconciles_its_counts():
    lead, partner = make_organisation(), make_organisation()
    campaign = make_campaign(lead_organisation=lead)
    campaign.partners.add(partner)
    call_command("seed_signatures", campaign.slug, "--count", "1500", "--seed", "7", stdout=open("/dev/null", "w"))

    signatures = Signature.objects.filter(campaign=campaign)
    assert signatures.count() == 1500
    statuses = dict(signatures.values_list("status").annotate(n=Count("pk")).order_by())
    assert set(statuses) == {"confirmed", "pending", "rejected", "withdrawn"}
    assert statuses["confirmed"] > 1000
    assert signatures.values("country").distinct().count() > 15
    assert signatures.filter(partner=partner).count() > 300
    assert not signatures.filter(status="confirmed", confirmed_at__isnull=True).exists()
    assert not signatures.filter(status="withdrawn").exclude(email="").exists()
    de = signatures.filter(country="DE", status="confirmed").first()
    assert len(de.postcode) == 5 and de.postcode.isdigit() and de.language == "de"
    assert de.email.endswith(".example") and de.email_domain == de.email.split("@")[1]
    addressed = signatures.exclude(email_canonical="")
    assert addressed.values("email_canonical").distinct().count() == addressed.count()

    # Rows a reminder would have reached were reminded: a running stack owes none of them one.
    assert reminders_due(limit=10_000) == []
    reminded = signatures.filter(status="pending", reminder_sent_at__isnull=False)
    assert reminded.count() > 100 and not reminded.exclude(emails_sent=2).exists()
    assert signatures.filter(status="pending", reminder_sent_at__isnull=True).exists()  # the last day's

    campaign.refresh_from_db()
    assert campaign.signature_count == statuses["confirmed"]
    assert sum(CountryCount.objects.filter(campaign=campaign).values_list("count", flat=True)) == statuses["confirmed"]
    assert PartnerCount.objects.get(campaign=campaign, organisation=partner).count == signatures.filter(
        partner=partner, status="confirmed"
    ).count()
    assert Consent.objects.filter(signature__campaign=campaign, organisation=lead).count() == signatures.filter(
        contact_consent=True
    ).count()
    assert Consent.objects.filter(organisation=partner).exists()


def test_it_can_run_twice_without_address_collisions():
    campaign = make_campaign()
    for _ in range(2):
        call_command("seed_signatures", campaign.slug, "--count", "200", "--seed", "1", stdout=open("/dev/null", "w"))
    assert Signature.objects.filter(campaign=campaign).count() == 400


def test_it_says_when_the_campaign_does_not_exist():
    with pytest.raises(CommandError, match="No campaign with the slug"):
        call_command("seed_signatures", "no-such-campaign", "--count", "10")
