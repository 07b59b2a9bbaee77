"""Racing folds and senders on real PostgreSQL still tell staff once per milestone."""

import threading

import pytest
from django.core import mail
from django.db import connection

from campaigns import milestone_emails, milestones
from campaigns.models import Campaign, Milestone
from signatures import fold
from tests.factories import make_campaign, make_signature


def race(target, times=4):
    """Run target in `times` threads released together; return their results."""
    start = threading.Barrier(times)
    results = []
    errors = []

    def run():
        try:
            start.wait()
            results.append(target())
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_racing_folds_email_each_crossed_milestone_exactly_once():
    campaign = make_campaign(staff_emails="lead@example.org")
    Milestone.objects.bulk_create([Milestone(campaign=campaign, threshold=t) for t in (5, 10, 50)])
    for _ in range(12):
        make_signature(campaign, status="confirmed")

    race(lambda: fold.fold_counts(campaign.pk), times=6)

    assert Campaign.objects.get(pk=campaign.pk).signature_count == 12
    assert sorted(message.subject for message in mail.outbox) == sorted(
        f"“{campaign.title}” passed {n} signatures" for n in (5, 10)
    )
    assert not Milestone.objects.filter(campaign=campaign, threshold__lte=12, notified_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_racing_claims_of_a_passed_milestone_give_it_to_one_claimant():
    campaign = make_campaign(staff_emails="lead@example.org")
    Milestone.objects.create(campaign=campaign, threshold=3)
    Campaign.objects.filter(pk=campaign.pk).update(signature_count=3)

    claims = race(lambda: milestones.reach_milestones(campaign.pk), times=8)

    assert sorted(len(claimed) for claimed in claims) == [0] * 7 + [1]
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_racing_senders_send_a_milestone_email_once():
    from django.utils import timezone

    campaign = make_campaign(staff_emails="lead@example.org")
    milestone = Milestone.objects.create(campaign=campaign, threshold=3, reached_at=timezone.now())

    sent = race(lambda: milestone_emails.deliver_milestone_email(milestone.pk), times=8)

    assert sorted(sent) == [False] * 7 + [True]
    assert len(mail.outbox) == 1
