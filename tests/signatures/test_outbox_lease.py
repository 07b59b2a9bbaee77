"""Renewing a drain's lease: only rows this worker still holds, never one another worker took over meanwhile."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from signatures import outbox
from signatures.models import Signature
from tests.factories import make_campaign, make_signature


def held(count: int, since) -> list[Signature]:
    campaign = make_campaign()
    return [
        make_signature(
            campaign, email_due=Signature.Email.CONFIRM, email_requested_at=since, email_claimed_at=since
        )
        for _ in range(count)
    ]


def claimed_at(signature: Signature):
    return Signature.objects.values_list("email_claimed_at", flat=True).get(pk=signature.pk)


@pytest.mark.django_db
def test_renewing_moves_the_claim_time_of_the_rows_held_and_drops_a_row_taken_over():
    since = timezone.now() - timedelta(seconds=20)
    first, taken, last = held(3, since)
    other = since + timedelta(seconds=1)
    Signature.objects.filter(pk=taken.pk).update(email_claimed_at=other)

    now, kept = outbox.renew([last.pk, taken.pk, first.pk], since)

    assert kept == [last.pk, first.pk]
    assert now > since
    assert [claimed_at(s) for s in (first, taken, last)] == [now, other, now]


@pytest.mark.django_db
def test_the_lease_holds_the_renewed_rows_from_the_new_claim_time_on():
    since = timezone.now() - timedelta(seconds=20)
    first, second = held(2, since)
    lease = outbox.Lease(since, [first.pk, second.pk])

    assert lease.renew([second.pk]) == [second.pk]

    assert lease.held_since > since
    assert list(lease.mine(second.pk).values_list("pk", flat=True)) == [second.pk]
    # The row not renewed is no longer the lease's: its claim time is the old one.
    assert not lease.mine(first.pk).exists()


@pytest.mark.django_db
def test_renewing_nothing_asks_the_database_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        _now, kept = outbox.renew([], timezone.now())
    assert kept == []


@pytest.mark.django_db(transaction=True)
def test_a_row_another_worker_is_taking_over_is_waited_for_then_left_to_it():
    since = timezone.now() - outbox.LEASE - timedelta(seconds=1)
    mine, contested = held(2, since)
    other = timezone.now()
    results, errors = [], []

    def renew():
        try:
            results.append(outbox.renew([mine.pk, contested.pk], since))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    with transaction.atomic():
        # The other worker's claim has locked and changed the row, and not yet committed.
        Signature.objects.filter(pk=contested.pk).update(email_claimed_at=other)
        thread = threading.Thread(target=renew)
        thread.start()
        time.sleep(0.5)
        waiting = thread.is_alive()
    thread.join(timeout=30)

    assert not errors, errors
    assert waiting, "renewing did not wait for the row lock"
    now, kept = results[0]
    assert kept == [mine.pk]
    assert claimed_at(contested) == other
    assert claimed_at(mine) == now
