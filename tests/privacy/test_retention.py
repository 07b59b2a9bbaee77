"""After a campaign closes and its retention period passes, signers' personal data is erased; counts stay."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from campaigns.models import Campaign
from signatures.fold import fold_counts, reconcile_counts
from signatures.models import AuditEntry, Signature
from signatures.tasks import anonymise_expired
from tests.factories import make_campaign, make_consent, make_organisation, make_signature

pytestmark = pytest.mark.django_db


def closed_campaign(days_ago: int, retention_days: int = 30) -> Campaign:
    return make_campaign(
        status=Campaign.Status.CLOSED,
        closed_at=timezone.now() - timedelta(days=days_ago),
        retention_days=retention_days,
    )


def signers(campaign) -> list[Signature]:
    made = [
        make_signature(campaign, status="confirmed", country="FR", ip_hash="a" * 64, utm_source="newsletter"),
        make_signature(campaign, status="confirmed", country="DE"),
        make_signature(campaign, status="pending", country="DE"),
    ]
    fold_counts(campaign.pk)
    return made


def test_it_erases_personal_data_and_keeps_country_status_and_counts():
    campaign = closed_campaign(days_ago=31, retention_days=30)
    first, _, _ = signers(campaign)
    consent = make_consent(first, make_organisation())

    assert anonymise_expired.delay().get() == 3

    for signature in Signature.objects.filter(campaign=campaign):
        assert (signature.first_name, signature.last_name, signature.email, signature.email_canonical) == ("", "", "", "")
        assert (signature.postcode, signature.ip_hash, signature.utm_source) == ("", "", "")
        assert signature.erased_at is not None
    assert sorted(Signature.objects.values_list("country", "status")) == [
        ("DE", "confirmed"), ("DE", "pending"), ("FR", "confirmed"),
    ]
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert reconcile_counts(campaign.pk) == {}
    campaign.refresh_from_db()
    assert campaign.signature_count == 2
    assert dict(campaign.country_counts.values_list("country", "count")) == {"FR": 1, "DE": 1}
    audit = AuditEntry.objects.get(action="retention_anonymised")
    assert audit.campaign == campaign and audit.detail == {"count": 3, "retention_days": 30}


def test_it_waits_until_the_retention_period_has_passed():
    campaign = closed_campaign(days_ago=29, retention_days=30)
    signers(campaign)

    assert anonymise_expired.delay().get() == 0
    assert not Signature.objects.filter(erased_at__isnull=False).exists()


def test_it_counts_from_a_passed_closing_date():
    campaign = make_campaign(
        opens_at=timezone.now() - timedelta(days=100),
        closes_at=timezone.now() - timedelta(days=11),
        retention_days=10,
    )
    signers(campaign)

    assert anonymise_expired.delay().get() == 3


def test_it_leaves_open_campaigns_alone():
    campaign = make_campaign(retention_days=0)
    signers(campaign)

    assert anonymise_expired.delay().get() == 0


def test_it_only_counts_each_signer_once_across_runs():
    signers(closed_campaign(days_ago=31))

    assert anonymise_expired.delay().get() == 3
    assert anonymise_expired.delay().get() == 0
    assert AuditEntry.objects.filter(action="retention_anonymised").count() == 1


def test_its_command_reports_what_it_would_do_on_a_dry_run_and_changes_nothing(capsys):
    campaign = closed_campaign(days_ago=40)
    signers(campaign)
    signers(closed_campaign(days_ago=5))

    call_command("anonymise_expired", "--dry-run")

    out = capsys.readouterr().out
    assert f"would anonymise 3 signatures of {campaign.slug}" in out
    assert "would anonymise 3 signatures in 1 campaigns" in out
    assert not Signature.objects.filter(erased_at__isnull=False).exists()
    assert not AuditEntry.objects.exists()


def test_its_command_anonymises_without_dry_run(capsys):
    campaign = closed_campaign(days_ago=40)
    signers(campaign)

    call_command("anonymise_expired")

    assert f"anonymised 3 signatures of {campaign.slug}" in capsys.readouterr().out
    assert Signature.objects.filter(campaign=campaign, erased_at__isnull=True).count() == 0


def test_its_command_says_when_there_is_nothing_to_do(capsys):
    call_command("anonymise_expired", "--dry-run")

    assert "No campaign is past its retention period" in capsys.readouterr().out
