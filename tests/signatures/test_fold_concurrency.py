"""Folds racing confirmations, withdrawals and rejections on real PostgreSQL."""

import threading
from collections import Counter

import pytest
from django.db import connection, transaction
from django.db.models import Count

from campaigns.models import Campaign, CountryCount, PartnerCount
from signatures import fold, services
from signatures.models import Signature
from signatures.services import request_fold
from tests.factories import confirm_token, make_campaign, make_organisation, make_signature, manage_token

COUNTRIES = ["DE", "FR", "GR", "PL"]


def run_in_threads(*targets):
    """Start every target at once; re-raise the first error any of them hit."""
    errors = []
    start = threading.Barrier(len(targets))

    def wrap(target):
        try:
            start.wait()
            target()
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrap, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    return threads, errors


@pytest.mark.django_db(transaction=True)
def test_it_counts_each_confirmation_exactly_once_while_folds_run_in_parallel():
    campaign = make_campaign()
    partner = make_organisation()
    # 60 signatures already counted: 40 will be withdrawn and 20 rejected during the race.
    counted = [
        make_signature(campaign, status="confirmed", country=COUNTRIES[i % 4], partner=partner if i % 3 else None)
        for i in range(60)
    ]
    fold.fold_counts(campaign.pk)
    assert Campaign.objects.get(pk=campaign.pk).signature_count == 60
    pending = [
        make_signature(campaign, country=COUNTRIES[i % 4], partner=partner if i % 2 else None) for i in range(200)
    ]

    def confirmer(chunk):
        def confirm_all():
            for signature in chunk:
                assert (
                    services.confirm(signature.pk, confirm_token(signature)).result == services.ConfirmResult.CONFIRMED
                )

        return confirm_all

    def withdraw_all():
        for signature in counted[:40]:
            services.withdraw(signature.pk, manage_token(signature))

    def reject_all():
        for signature in counted[40:]:
            with transaction.atomic():
                Signature.objects.filter(pk=signature.pk).update(status="rejected")
                request_fold(campaign.pk)

    racing = threading.Event()

    def fold_until_done():
        while not racing.is_set():
            fold.fold_counts(campaign.pk)

    writers, writer_errors = run_in_threads(*(confirmer(pending[i::4]) for i in range(4)), withdraw_all, reject_all)
    folders, folder_errors = run_in_threads(fold_until_done, fold_until_done, fold_until_done)
    for thread in writers:
        thread.join(timeout=120)
    racing.set()
    for thread in folders:
        thread.join(timeout=120)
    assert not writer_errors and not folder_errors, writer_errors + folder_errors

    # Every confirmation asked for a fold after its commit, so nothing is left
    # for a final fold: the stored totals already equal the confirmed rows.
    confirmed = Signature.objects.filter(campaign=campaign, status="confirmed")
    assert confirmed.count() == 200
    assert Campaign.objects.get(pk=campaign.pk).signature_count == 200
    assert not Signature.objects.filter(campaign=campaign, status="confirmed", is_counted=False).exists()
    assert not Signature.objects.filter(campaign=campaign, is_counted=True).exclude(status="confirmed").exists()
    true_countries = dict(confirmed.values_list("country").annotate(n=Count("pk")).order_by())
    stored_countries = {
        country: n for country, n in CountryCount.objects.filter(campaign=campaign).values_list("country", "count") if n
    }
    assert stored_countries == true_countries
    assert dict(PartnerCount.objects.filter(campaign=campaign).values_list("organisation_id", "count")) == dict(
        Counter(confirmed.filter(partner__isnull=False).values_list("partner_id", flat=True))
    )
    assert fold.reconcile_counts(campaign.pk) == {}
