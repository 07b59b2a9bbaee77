"""One reminder for pending signers who have not confirmed after REMINDER_AFTER_HOURS.

This module only marks the reminder as owed on the row (the outbox); the task
send_reminders then drains the outbox.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from campaigns.models import Campaign

from .models import Signature

BATCH = 500


def reminders_due(now=None, limit: int | None = None) -> list[int]:
    """Pending signers whose confirmation email went out REMINDER_AFTER_HOURS ago, never reminded.

    Only for campaigns that still accept confirmations, and not for signatures
    about to be deleted as unconfirmed.
    """
    now = now or timezone.now()
    limit = limit or BATCH
    delay = timedelta(hours=settings.REMINDER_AFTER_HOURS)
    campaign_ids = [campaign.pk for campaign in Campaign.objects.public() if campaign.accepts_confirmations(now)]
    return list(
        Signature.objects.pending()
        .filter(
            campaign_id__in=campaign_ids,
            email_due="",
            reminder_sent_at__isnull=True,
            erased_at__isnull=True,
            emails_stopped_at__isnull=True,
            undeliverable_at__isnull=True,
            confirmation_sent_at__lt=now - delay,
            created_at__gt=now - timedelta(days=settings.UNCONFIRMED_RETENTION_DAYS),
            emails_sent__lt=settings.MAX_EMAILS_PER_SIGNATURE,
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )


def request_reminder(signature_id: int) -> bool:
    """Owe this pending signer their one reminder.

    The conditional update is the claim: a signer already reminded, or owed
    any email, is left alone, so two sweeps never remind anyone twice.
    """
    owed = Signature.objects.filter(
        pk=signature_id,
        status=Signature.Status.PENDING,
        email_due="",
        reminder_sent_at__isnull=True,
        emails_stopped_at__isnull=True,
        emails_sent__lt=settings.MAX_EMAILS_PER_SIGNATURE,
    ).update(email_due=Signature.Email.REMINDER, email_requested_at=timezone.now(), send_failed_at=None)
    return bool(owed)


def request_due_reminders() -> list[int]:
    """Owe a reminder to every signer due one, a batch at a time; returns the ids now owed one."""
    requested = []
    while batch := reminders_due():
        owed = [signature_id for signature_id in batch if request_reminder(signature_id)]
        requested += owed
        if not owed:  # everyone in the batch changed meanwhile; the next run sees them
            break
    return requested
