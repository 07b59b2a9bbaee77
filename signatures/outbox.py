"""The signature row is its own outbox: sending the email a signature is owed, at most once.

email_due says which email a signature is owed and email_claimed_at marks a
worker sending it right now. signatures.services and signatures.reminders
write what is owed; the task send_signature_email delivers it; the beat sweep
finds what a lost enqueue, a dead worker or a failing SMTP server left owed.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone, translation

from petition.emails import send_email

from .links import absolute_url, confirm_url, list_unsubscribe_headers, manage_url, unsubscribe_url
from .models import Consent, Signature

logger = logging.getLogger(__name__)

# A worker that claimed an email and then vanished leaves the claim behind;
# after this long another worker may take it over.
CLAIM_TIMEOUT = timedelta(minutes=10)
# The sweep leaves fresh requests to the task enqueued with them.
OUTBOX_GRACE = timedelta(minutes=2)
# After a final SMTP failure the sweep tries again this much later.
FAILED_RETRY_AFTER = timedelta(hours=1)
SWEEP_BATCH = 500

EMAIL_TEMPLATES = {
    Signature.Email.CONFIRM: ("confirm", Signature.Status.PENDING),
    Signature.Email.ALREADY_SIGNED: ("already-signed", Signature.Status.CONFIRMED),
    Signature.Email.REMINDER: ("reminder", Signature.Status.PENDING),
}


def deliver_due_email(signature_id: int) -> bool:
    """Send the email this signature is owed, at most once.

    The conditional update claims the row: of two workers holding the same id
    only one gets 1 back. The claim is cleared when sending fails so a retry
    (or the outbox sweep) can take it again.
    """
    now = timezone.now()
    claimed = (
        Signature.objects.filter(pk=signature_id)
        .exclude(email_due="")
        .filter(Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - CLAIM_TIMEOUT))
        .update(email_claimed_at=now)
    )
    if not claimed:
        return False
    signature = Signature.objects.select_related("campaign").get(pk=signature_id)
    template, required_status = EMAIL_TEMPLATES.get(signature.email_due, (None, None))
    if (
        template is None
        or signature.status != required_status
        or signature.erased_at
        or signature.emails_sent >= settings.MAX_EMAILS_PER_SIGNATURE
        or (signature.email_due == Signature.Email.REMINDER and signature.reminder_sent_at)
    ):
        Signature.objects.filter(pk=signature_id).update(email_due="", email_claimed_at=None)
        return False
    try:
        send_email(
            template,
            email_context(signature),
            signature.language,
            [signature.email],
            headers=list_unsubscribe_headers(signature),
        )
    except Exception:
        Signature.objects.filter(pk=signature_id, email_claimed_at=now).update(email_claimed_at=None)
        raise
    sent = {"email_due": "", "email_claimed_at": None, "emails_sent": F("emails_sent") + 1, "send_failed_at": None}
    if signature.email_due == Signature.Email.CONFIRM:
        sent["confirmation_sent_at"] = now
    elif signature.email_due == Signature.Email.REMINDER:
        sent["reminder_sent_at"] = now
    Signature.objects.filter(pk=signature_id).update(**sent)
    logger.info("sent %s email for signature %s", template, signature_id)
    return True


def mark_send_failed(signature_id: int) -> None:
    """The last retry failed: show it in the admin; the sweep tries again later."""
    Signature.objects.filter(pk=signature_id).update(send_failed_at=timezone.now(), email_claimed_at=None)
    logger.warning("giving up sending email for signature %s for now", signature_id)


def owed_email_ids(now=None, limit: int = SWEEP_BATCH) -> list[int]:
    """Signatures whose email was never sent: the enqueue was lost, a worker died, or SMTP failed."""
    now = now or timezone.now()
    return list(
        Signature.objects.with_email_due()
        .filter(email_requested_at__lt=now - OUTBOX_GRACE)
        .filter(Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - CLAIM_TIMEOUT))
        .filter(Q(send_failed_at__isnull=True) | Q(send_failed_at__lt=now - FAILED_RETRY_AFTER))
        .order_by("email_requested_at")
        .values_list("pk", flat=True)[:limit]
    )


def active_consents(signature: Signature):
    return (
        Consent.objects.filter(signature=signature, withdrawn_at__isnull=True)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def email_context(signature: Signature) -> dict:
    with translation.override(signature.language):
        return {
            "signature": signature,
            "campaign": signature.campaign,
            "first_name": signature.first_name,
            "confirm_url": confirm_url(signature),
            "withdraw_url": manage_url(signature),
            "unsubscribe_all_url": unsubscribe_url(signature),
            "campaign_url": absolute_url(signature.campaign.get_absolute_url()),
            "unsubscribe_links": [
                {
                    "organisation": consent.organisation.name,
                    "url": unsubscribe_url(signature, consent.organisation_id),
                }
                for consent in active_consents(signature)
            ],
        }
