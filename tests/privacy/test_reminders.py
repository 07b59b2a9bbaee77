"""One reminder to pending signers after REMINDER_AFTER_HOURS, and never a second."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from signatures import outbox, reminders
from signatures.models import Signature
from signatures.tasks import send_reminders
from tests.factories import confirm_token, make_campaign, make_signature, manage_token

pytestmark = pytest.mark.django_db


def waiting_signer(campaign, hours: float = 25, **fields) -> Signature:
    """A pending signer whose confirmation email went out this many hours ago."""
    sent = timezone.now() - timedelta(hours=hours)
    signature = make_signature(campaign, **{"confirmation_sent_at": sent, "emails_sent": 1, **fields})
    Signature.objects.filter(pk=signature.pk).update(created_at=sent)
    return signature


def test_it_reminds_a_pending_signer_once_with_the_confirmation_and_withdraw_links(django_capture_on_commit_callbacks):
    signature = waiting_signer(make_campaign())

    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders.delay().get() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders.delay().get() == 0

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [signature.email]
    assert f"/s/confirm/{signature.pk}/{confirm_token(signature)}/" in message.body
    assert f"/s/withdraw/{signature.pk}/{manage_token(signature)}/" in message.body
    assert "only reminder" in message.body
    signature.refresh_from_db()
    assert signature.reminder_sent_at is not None
    assert signature.emails_sent == 2
    assert signature.email_due == ""


def test_it_waits_for_the_configured_delay(settings):
    settings.REMINDER_AFTER_HOURS = 48
    campaign = make_campaign()
    too_soon = waiting_signer(campaign, hours=47)
    due = waiting_signer(campaign, hours=49)

    assert reminders.reminders_due() == [due.pk]
    assert too_soon.pk not in reminders.reminders_due()


def test_it_leaves_confirmed_withdrawn_and_already_reminded_signers_alone():
    campaign = make_campaign()
    waiting_signer(campaign, status="confirmed", confirmed_at=timezone.now())
    waiting_signer(campaign, status="withdrawn")
    waiting_signer(campaign, reminder_sent_at=timezone.now() - timedelta(hours=1))
    waiting_signer(campaign, email_due="confirm")  # a confirmation email is owed right now

    assert reminders.reminders_due() == []


def test_it_does_not_remind_when_the_first_email_never_went_out():
    waiting_signer(make_campaign(), confirmation_sent_at=None, emails_sent=0)

    assert reminders.reminders_due() == []


def test_it_does_not_remind_signers_of_a_campaign_no_longer_taking_confirmations(settings):
    closed = make_campaign(status="closed")
    closed.closed_at = timezone.now() - timedelta(days=settings.CONFIRMATION_GRACE_DAYS + 1)
    closed.save()
    waiting_signer(closed)

    assert reminders.reminders_due() == []


def test_it_does_not_remind_a_signature_that_is_about_to_be_deleted(settings):
    waiting_signer(make_campaign(), hours=24 * settings.UNCONFIRMED_RETENTION_DAYS + 1)

    assert reminders.reminders_due() == []


def test_it_claims_the_reminder_so_two_sweeps_never_owe_it_twice():
    signature = waiting_signer(make_campaign())

    first = reminders.request_reminder(signature.pk)
    second = reminders.request_reminder(signature.pk)

    assert (first, second) == (True, False)
    signature.refresh_from_db()
    assert signature.email_due == Signature.Email.REMINDER


def test_it_never_sends_a_second_reminder_even_when_one_is_owed_again():
    signature = waiting_signer(make_campaign(), reminder_sent_at=timezone.now() - timedelta(hours=2))
    Signature.objects.filter(pk=signature.pk).update(email_due="reminder", email_requested_at=timezone.now())

    assert outbox.deliver_due_email(signature.pk) is False

    assert mail.outbox == []
    signature.refresh_from_db()
    assert signature.email_due == ""


def test_it_is_scheduled_by_beat(settings):
    from petition.celery import app

    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    for task in ("signatures.tasks.send_reminders", "signatures.tasks.delete_unconfirmed", "signatures.tasks.anonymise_expired"):
        assert task in schedule
        assert task in app.tasks


def test_it_reminds_everyone_due_however_many_batches_that_takes(monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(reminders, "BATCH", 2)
    campaign = make_campaign()
    for _ in range(5):
        waiting_signer(campaign)

    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders.delay().get() == 5

    assert len(mail.outbox) == 5
    assert Signature.objects.filter(reminder_sent_at__isnull=False).count() == 5
