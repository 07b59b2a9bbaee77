import logging

import pytest
from django.core.management import CommandError, call_command

from campaigns.models import Campaign, CountryCount, PartnerCount
from signatures import fold
from signatures.tasks import reconcile_all_counts
from tests.factories import make_campaign, make_organisation, make_signature

pytestmark = pytest.mark.django_db


def counted_campaign(**fields):
    campaign = make_campaign(**fields)
    partner = make_organisation()
    make_signature(campaign, status="confirmed", country="DE", partner=partner)
    make_signature(campaign, status="confirmed", country="DE")
    make_signature(campaign, status="confirmed", country="FR")
    fold.fold_counts(campaign.pk)
    return campaign, partner


def drift(campaign, partner):
    """What a bad deploy or a hand edit in psql might leave behind."""
    Campaign.objects.filter(pk=campaign.pk).update(signature_count=1234)
    CountryCount.objects.filter(campaign=campaign, country="DE").update(count=7)
    CountryCount.objects.create(campaign=campaign, country="PL", count=5)
    PartnerCount.objects.filter(campaign=campaign, organisation=partner).delete()


def test_it_corrects_hand_made_drift_and_logs_what_it_corrected(caplog):
    campaign, partner = counted_campaign()
    drift(campaign, partner)

    with caplog.at_level(logging.WARNING, logger="campaigns.counting"):
        corrections = fold.reconcile_counts(campaign.pk)

    assert corrections == {
        "total": (1234, 3),
        "country:DE": (7, 2),
        "country:PL": (5, 0),
        f"partner:{partner.pk}": (0, 1),
    }
    campaign.refresh_from_db()
    assert campaign.signature_count == 3
    assert dict(CountryCount.objects.filter(campaign=campaign).values_list("country", "count")) == {
        "DE": 2,
        "FR": 1,
        "PL": 0,
    }
    assert PartnerCount.objects.get(campaign=campaign, organisation=partner).count == 1
    assert f"reconcile corrected counts of campaign {campaign.pk}: total 1234 -> 3" in caplog.text
    assert "country:DE 7 -> 2" in caplog.text


def test_it_changes_nothing_when_the_counts_agree(caplog):
    campaign, _ = counted_campaign()
    before = Campaign.objects.get(pk=campaign.pk).count_updated_at

    assert fold.reconcile_counts(campaign.pk) == {}

    assert Campaign.objects.get(pk=campaign.pk).count_updated_at == before
    assert "reconcile corrected" not in caplog.text


def test_it_leaves_rows_not_yet_folded_to_the_next_fold():
    campaign, _ = counted_campaign()
    make_signature(campaign, status="confirmed", country="FR")

    assert fold.reconcile_counts(campaign.pk) == {}
    assert fold.fold_counts(campaign.pk) == 1


def test_a_fold_recovers_from_a_total_that_drifted_below_the_counted_rows(caplog):
    campaign, _ = counted_campaign()
    leaving = make_signature(campaign, status="confirmed", country="FR")
    fold.fold_counts(campaign.pk)
    Campaign.objects.filter(pk=campaign.pk).update(signature_count=0)
    type(leaving).objects.filter(pk=leaving.pk).update(status="withdrawn")

    assert fold.fold_counts(campaign.pk) == -1

    assert Campaign.objects.get(pk=campaign.pk).signature_count == 3
    assert "would drop below zero" in caplog.text


def test_the_nightly_task_reconciles_every_campaign():
    first, first_partner = counted_campaign()
    second, second_partner = counted_campaign()
    drift(first, first_partner)
    Campaign.objects.filter(pk=second.pk).update(signature_count=0)

    assert reconcile_all_counts.delay().get() == 5

    assert list(Campaign.objects.order_by("pk").values_list("signature_count", flat=True)) == [3, 3]


def test_the_command_reconciles_one_campaign_and_says_what_it_corrected(capsys):
    campaign, partner = counted_campaign()
    other, other_partner = counted_campaign()
    drift(campaign, partner)
    drift(other, other_partner)

    call_command("reconcile_counts", campaign.slug)

    out = capsys.readouterr().out
    assert f"{campaign.slug}: corrected total 1234 -> 3; country:DE 7 -> 2" in out
    assert other.slug not in out
    assert Campaign.objects.get(pk=campaign.pk).signature_count == 3
    assert Campaign.objects.get(pk=other.pk).signature_count == 1234


def test_the_command_reports_agreement_for_every_campaign(capsys):
    first, _ = counted_campaign()
    second, _ = counted_campaign()

    call_command("reconcile_counts")

    out = capsys.readouterr().out
    assert f"{first.slug}: counts agree with the rows" in out
    assert f"{second.slug}: counts agree with the rows" in out
    assert "No drift found." in out


def test_the_command_refuses_an_unknown_slug():
    with pytest.raises(CommandError, match="No campaign has the slug 'nope'"):
        call_command("reconcile_counts", "nope")
