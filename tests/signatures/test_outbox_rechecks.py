"""Each chunk reads its rows again just before sending: what changed since the claim decides whether an email goes."""

import pytest
from django.core import mail
from django.core.mail import get_connection
from django.utils import timezone

from signatures.models import Signature, Suppression
from signatures.outbox import Lease, _deliver_chunk, claim, deliver_claimed
from signatures.owed_emails import Composer
from tests.factories import make_campaign, make_signature

pytestmark = pytest.mark.django_db


def owed(campaign, email_due=Signature.Email.CONFIRM, **fields) -> Signature:
    return make_signature(campaign, email_due=email_due, email_requested_at=timezone.now(), **fields)


def test_rows_changed_since_the_claim_are_read_as_they_now_are():
    campaign = make_campaign()
    still_owed = owed(campaign)
    withdrawn = owed(campaign)
    erased = owed(campaign)
    suppressed = owed(campaign)
    at_limit = owed(campaign)
    stopped = owed(campaign, Signature.Email.REMINDER)
    taken_over = owed(campaign)
    held_since, ids = claim()
    assert len(ids) == 7

    Signature.objects.filter(pk=withdrawn.pk).update(status=Signature.Status.WITHDRAWN)
    Signature.objects.filter(pk=erased.pk).update(erased_at=timezone.now())
    Suppression.objects.create(email_canonical=suppressed.email_canonical, reason=Suppression.Reason.REJECTED)
    Signature.objects.filter(pk=at_limit.pk).update(emails_sent=5)
    Signature.objects.filter(pk=stopped.pk).update(emails_stopped_at=timezone.now())
    other_claim = timezone.now()
    Signature.objects.filter(pk=taken_over.pk).update(email_claimed_at=other_claim)

    sent = _deliver_chunk(ids, Lease(held_since, ids), get_connection(), later=[], composer=Composer())

    assert sent == 1
    assert [message.to for message in mail.outbox] == [[still_owed.email]]
    rows = {row.pk: row for row in Signature.objects.filter(pk__in=ids)}
    assert rows[still_owed.pk].emails_sent == 1
    for dropped in (withdrawn, erased, suppressed, at_limit, stopped):
        assert (rows[dropped.pk].email_due, rows[dropped.pk].email_claimed_at) == ("", None)
    assert rows[suppressed.pk].undeliverable_at is not None
    # Another worker's now: left as it was, for that worker to send.
    assert rows[taken_over.pk].email_due == Signature.Email.CONFIRM
    assert rows[taken_over.pk].email_claimed_at == other_claim


def test_a_batch_whose_rows_were_all_taken_over_sends_nothing_and_leaves_them_alone():
    campaign = make_campaign()
    rows = [owed(campaign) for _ in range(3)]
    held_since, ids = claim()
    other_claim = timezone.now()
    Signature.objects.filter(pk__in=ids).update(email_claimed_at=other_claim)

    assert deliver_claimed(Lease(held_since, ids), get_connection()) == 0

    assert mail.outbox == []
    assert set(Signature.objects.filter(pk__in=[r.pk for r in rows]).values_list("email_claimed_at", flat=True)) == {
        other_claim
    }
