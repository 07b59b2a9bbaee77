import pytest
from django.urls import reverse

from campaigns.models import Campaign, CountryCount, PartnerCount
from signatures import fold, services
from signatures.models import Signature
from tests.factories import confirm_token, make_campaign, make_organisation, make_signature, manage_token

pytestmark = pytest.mark.django_db


def stored(campaign):
    campaign.refresh_from_db()
    countries = dict(CountryCount.objects.filter(campaign=campaign).values_list("country", "count"))
    partners = dict(PartnerCount.objects.filter(campaign=campaign).values_list("organisation_id", "count"))
    return campaign.signature_count, countries, partners


def test_it_folds_confirmed_signatures_into_the_total_country_and_partner_counts():
    campaign = make_campaign()
    partner = make_organisation()
    make_signature(campaign, status="confirmed", country="DE", partner=partner)
    make_signature(campaign, status="confirmed", country="DE")
    make_signature(campaign, status="confirmed", country="FR", partner=partner)
    make_signature(campaign, status="pending", country="FR")

    assert fold.fold_counts(campaign.pk) == 3

    assert stored(campaign) == (3, {"DE": 2, "FR": 1}, {partner.pk: 2})
    assert campaign.count_updated_at is not None
    assert set(Signature.objects.filter(is_counted=True).values_list("status", flat=True)) == {"confirmed"}


def test_it_counts_nothing_twice_when_folded_again():
    campaign = make_campaign()
    make_signature(campaign, status="confirmed")
    fold.fold_counts(campaign.pk)
    before = Campaign.objects.get(pk=campaign.pk).count_updated_at

    assert fold.fold_counts(campaign.pk) == 0

    assert stored(campaign)[0] == 1
    assert campaign.count_updated_at == before


@pytest.mark.parametrize("status", ["withdrawn", "rejected"])
def test_it_subtracts_signatures_that_stop_being_confirmed(status):
    campaign = make_campaign()
    partner = make_organisation()
    leaving = make_signature(campaign, status="confirmed", country="AT", partner=partner)
    make_signature(campaign, status="confirmed", country="AT", partner=partner)
    fold.fold_counts(campaign.pk)
    assert stored(campaign) == (2, {"AT": 2}, {partner.pk: 2})

    Signature.objects.filter(pk=leaving.pk).update(status=status)
    assert fold.fold_counts(campaign.pk) == -1

    assert stored(campaign) == (1, {"AT": 1}, {partner.pk: 1})
    leaving.refresh_from_db()
    assert leaving.is_counted is False


def test_it_subtracts_a_withdrawal_through_the_signer_link(django_capture_on_commit_callbacks):
    campaign = make_campaign()
    signature = make_signature(campaign, status="confirmed", country="IT")
    fold.fold_counts(campaign.pk)

    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw(signature.pk, manage_token(signature))

    assert stored(campaign)[:2] == (0, {"IT": 0})


@pytest.mark.django_db(transaction=True)
def test_it_shows_the_new_count_right_after_a_confirmation_when_tasks_run_eagerly(client):
    # Real commits (no test transaction around them), as in the embedded default.
    campaign = make_campaign()
    make_signature(campaign, status="confirmed")
    fold.fold_counts(campaign.pk)
    signature = make_signature(campaign)

    response = client.post(reverse("signatures:confirm", kwargs={"pk": signature.pk, "token": confirm_token(signature)}))

    assert response.status_code == 200
    assert stored(campaign)[0] == 2
    assert b"data-count>2</strong>" in response.content


def test_it_lists_only_campaigns_whose_rows_disagree_with_their_counts():
    settled, to_add, to_remove = make_campaign(), make_campaign(), make_campaign()
    make_signature(settled, status="confirmed")
    gone = make_signature(to_remove, status="confirmed")
    fold.fold_counts(settled.pk)
    fold.fold_counts(to_remove.pk)
    make_signature(to_add, status="confirmed")
    Signature.objects.filter(pk=gone.pk).update(status="rejected")

    assert fold.campaigns_with_stale_counts() == sorted([to_add.pk, to_remove.pk])


def test_beat_folds_every_campaign_left_behind():
    from signatures.tasks import fold_all_counts

    first, second = make_campaign(), make_campaign()
    make_signature(first, status="confirmed")
    make_signature(second, status="confirmed")
    make_signature(second, status="confirmed")

    assert fold_all_counts.delay().get() == 3

    assert stored(first)[0] == 1 and stored(second)[0] == 2


def test_beat_carries_on_when_one_campaign_fails_to_fold(caplog):
    from unittest import mock

    from django.db import OperationalError

    from signatures.tasks import fold_all_counts

    broken, fine = make_campaign(), make_campaign()
    make_signature(broken, status="confirmed")
    make_signature(fine, status="confirmed")
    real_fold = fold.fold_counts

    def fold_or_fail(campaign_id):
        if campaign_id == broken.pk:
            raise OperationalError("deadlock detected")
        return real_fold(campaign_id)

    with mock.patch("signatures.fold.fold_counts", side_effect=fold_or_fail):
        fold_all_counts.delay()

    assert stored(fine)[0] == 1
    assert stored(broken)[0] == 0
    assert f"fold of campaign {broken.pk} failed" in caplog.text
