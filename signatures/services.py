"""Every write to signatures with a consequence: signing, emails owed, confirming."""

import hmac
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign, Organisation
from petition.enqueue import enqueue_after_commit

from . import emails
from .emailaddr import canonical_email
from .models import AuditEntry, Consent, Signature

logger = logging.getLogger(__name__)

# A worker that claimed an email and then vanished leaves the claim behind;
# after this long another worker may take it over.
CLAIM_TIMEOUT = timedelta(minutes=10)
# The sweep leaves fresh requests to the task enqueued with them.
OUTBOX_GRACE = timedelta(minutes=2)
# After a final SMTP failure the sweep tries again this much later.
FAILED_RETRY_AFTER = timedelta(hours=1)
SWEEP_BATCH = 500


class InvalidToken(Exception):
    """No signature matches the link."""


@dataclass
class SignerDetails:
    first_name: str
    last_name: str
    email: str
    country: str
    postcode: str = ""
    contact_consent: bool = False
    language: str = "en"
    ip_hash: str = ""
    partner: Organisation | None = None
    utm_source: str = ""
    utm_campaign: str = ""
    # (organisation, the exact consent text the signer ticked) for each
    # organisation they agreed to be contacted by.
    consents: list[tuple[Organisation, str]] = field(default_factory=list)
    extra: dict = field(default_factory=dict)


def sign(campaign: Campaign, details: SignerDetails) -> Signature:
    """Record a signature, or ask for the right email to the one already there.

    The unique constraint on (campaign, canonical email) decides who was first;
    whoever loses the race gets the existing row and the same outcome.
    """
    canonical = canonical_email(details.email)
    now = timezone.now()
    try:
        with transaction.atomic():
            signature = Signature.objects.create(
                campaign=campaign,
                first_name=details.first_name,
                last_name=details.last_name,
                email=details.email,
                email_canonical=canonical,
                country=details.country,
                postcode=details.postcode,
                language=details.language,
                contact_consent=details.contact_consent,
                ip_hash=details.ip_hash,
                partner=details.partner,
                utm_source=details.utm_source[:100],
                utm_campaign=details.utm_campaign[:100],
                email_due=Signature.Email.CONFIRM,
                email_requested_at=now,
            )
            Consent.objects.bulk_create(
                [
                    Consent(signature=signature, organisation=organisation, text_shown=text)
                    for organisation, text in details.consents
                ]
            )
    except IntegrityError:
        existing = Signature.objects.filter(campaign=campaign, email_canonical=canonical).first()
        if existing is None:
            raise
        request_repeat_email(existing)
        return existing
    enqueue_email(signature.pk)
    return signature


def request_repeat_email(signature: Signature) -> bool:
    """Someone signed again with this address: resend the link, or say it is done.

    Nothing is owed to rejected or withdrawn signatures, nothing more once an
    email is already owed, and never more than MAX_EMAILS_PER_SIGNATURE.
    """
    if signature.status == Signature.Status.PENDING:
        kind = Signature.Email.CONFIRM
    elif signature.status == Signature.Status.CONFIRMED:
        kind = Signature.Email.ALREADY_SIGNED
    else:
        return False
    return request_email(signature.pk, kind, required_status=signature.status)


def request_email(signature_id: int, kind: str, *, required_status: str) -> bool:
    owed = Signature.objects.filter(
        pk=signature_id,
        status=required_status,
        email_due="",
        emails_sent__lt=settings.MAX_EMAILS_PER_SIGNATURE,
    ).update(email_due=kind, email_requested_at=timezone.now(), send_failed_at=None)
    if owed:
        enqueue_email(signature_id)
    return bool(owed)


def enqueue_email(signature_id: int) -> None:
    from .tasks import send_signature_email

    enqueue_after_commit(send_signature_email, signature_id)


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
        emails.send(
            template,
            signature.email,
            email_context(signature),
            signature.language,
            headers={"List-Unsubscribe": f"<{absolute_url(withdraw_path(signature))}>"},
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


def reminders_due(now=None, limit: int | None = None) -> list[int]:
    """Pending signers whose confirmation email went out REMINDER_AFTER_HOURS ago, never reminded.

    Only for campaigns that still accept confirmations, and not for signatures
    about to be deleted as unconfirmed.
    """
    now = now or timezone.now()
    limit = limit or SWEEP_BATCH
    delay = timedelta(hours=settings.REMINDER_AFTER_HOURS)
    campaign_ids = [campaign.pk for campaign in Campaign.objects.public() if campaign.accepts_confirmations(now)]
    return list(
        Signature.objects.pending()
        .filter(
            campaign_id__in=campaign_ids,
            email_due="",
            reminder_sent_at__isnull=True,
            erased_at__isnull=True,
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
        emails_sent__lt=settings.MAX_EMAILS_PER_SIGNATURE,
    ).update(email_due=Signature.Email.REMINDER, email_requested_at=timezone.now(), send_failed_at=None)
    if owed:
        enqueue_email(signature_id)
    return bool(owed)


def request_due_reminders() -> int:
    """Owe a reminder to every signer due one, a batch at a time; returns how many."""
    requested = 0
    while batch := reminders_due():
        owed = sum(request_reminder(signature_id) for signature_id in batch)
        requested += owed
        if not owed:  # everyone in the batch changed meanwhile; the next run sees them
            break
    return requested


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


class ConfirmResult:
    CONFIRMED = "confirmed"
    ALREADY_CONFIRMED = "already_confirmed"
    NOT_CONFIRMABLE = "not_confirmable"
    CAMPAIGN_CLOSED = "campaign_closed"


def find_by_token(signature_id: int, token: str) -> Signature:
    """The signature a link points at; tokens are compared in constant time."""
    signature = Signature.objects.select_related("campaign").filter(pk=signature_id).first()
    if signature is None or not hmac.compare_digest(signature.token.encode(), token.encode()):
        raise InvalidToken
    return signature


def confirm(signature_id: int, token: str) -> tuple[str, Signature]:
    signature = find_by_token(signature_id, token)
    if signature.status == Signature.Status.CONFIRMED:
        return ConfirmResult.ALREADY_CONFIRMED, signature
    if signature.status != Signature.Status.PENDING:
        return ConfirmResult.NOT_CONFIRMABLE, signature
    if not signature.campaign.accepts_confirmations():
        return ConfirmResult.CAMPAIGN_CLOSED, signature
    with transaction.atomic():
        confirmed = Signature.objects.filter(pk=signature_id, status=Signature.Status.PENDING).update(
            status=Signature.Status.CONFIRMED, confirmed_at=timezone.now(), email_due=""
        )
        if confirmed:
            from campaigns.services import request_fold

            request_fold(signature.campaign_id)
    reload(signature)
    if confirmed:
        logger.info("signature %s confirmed", signature_id)
        return ConfirmResult.CONFIRMED, signature
    if signature.status == Signature.Status.CONFIRMED:
        return ConfirmResult.ALREADY_CONFIRMED, signature
    return ConfirmResult.NOT_CONFIRMABLE, signature


def confirm_path(signature: Signature) -> str:
    return reverse("signatures:confirm", kwargs={"pk": signature.pk, "token": signature.token})


def withdraw_path(signature: Signature) -> str:
    return reverse("signatures:withdraw", kwargs={"pk": signature.pk, "token": signature.token})


def unsubscribe_path(signature: Signature, organisation_id: int) -> str:
    return reverse(
        "signatures:unsubscribe",
        kwargs={"pk": signature.pk, "token": signature.token, "organisation_id": organisation_id},
    )


def active_consents(signature: Signature):
    return (
        Consent.objects.filter(signature=signature, withdrawn_at__isnull=True)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path


def email_context(signature: Signature) -> dict:
    from django.utils import translation

    with translation.override(signature.language):
        return {
            "signature": signature,
            "campaign": signature.campaign,
            "first_name": signature.first_name,
            "confirm_url": absolute_url(confirm_path(signature)),
            "withdraw_url": absolute_url(withdraw_path(signature)),
            "campaign_url": absolute_url(signature.campaign.get_absolute_url()),
            "unsubscribe_links": [
                {
                    "organisation": consent.organisation.name,
                    "url": absolute_url(unsubscribe_path(signature, consent.organisation_id)),
                }
                for consent in active_consents(signature)
            ],
        }


def withdraw(signature_id: int, token: str) -> Signature:
    """The signer takes their signature back: it stops counting and their personal data goes."""
    signature = find_by_token(signature_id, token)
    with transaction.atomic():
        Signature.objects.filter(pk=signature_id).exclude(status=Signature.Status.WITHDRAWN).update(
            status=Signature.Status.WITHDRAWN, withdrawn_at=timezone.now()
        )
        erase_personal_data(signature_id)
        from campaigns.services import request_fold

        request_fold(signature.campaign_id)
    logger.info("signature %s withdrawn", signature_id)
    reload(signature)
    return signature


def reload(signature: Signature) -> None:
    """Re-read the row; one deleted meanwhile (unconfirmed for too long) is as unknown as a wrong link."""
    try:
        signature.refresh_from_db()
    except Signature.DoesNotExist:
        raise InvalidToken from None


# What erasing a signer leaves: country, status, language, dates and the
# referring partner, so counts and statistics survive without the person.
ERASED_FIELDS = {
    "first_name": "",
    "last_name": "",
    "email": "",
    "email_canonical": "",
    "postcode": "",
    "ip_hash": "",
    "utm_source": "",
    "utm_campaign": "",
    "email_due": "",
    "contact_consent": False,
}


def erase_personal_data(signature_id: int) -> None:
    """Drop name, email, postcode and address hash; country and status stay so counts survive."""
    erase_signatures([signature_id])


def erase_signatures(signature_ids: list[int]) -> int:
    """Erase the personal data of these signatures and end their consents; returns how many were erased."""
    now = timezone.now()
    with transaction.atomic():
        erased = Signature.objects.filter(pk__in=signature_ids).update(**ERASED_FIELDS, erased_at=now)
        Consent.objects.filter(signature_id__in=signature_ids, withdrawn_at__isnull=True).update(withdrawn_at=now)
    return erased


def withdraw_consent(signature_id: int, organisation_id: int) -> bool:
    """The signer no longer wants to hear from this organisation; their signature stands.

    Withdrawing the lead organisation's consent also clears contact_consent,
    which means "may be contacted about this campaign". Returns False when
    there was no consent left to withdraw.
    """
    with transaction.atomic():
        withdrawn = Consent.objects.filter(
            signature_id=signature_id, organisation_id=organisation_id, withdrawn_at__isnull=True
        ).update(withdrawn_at=timezone.now())
        Signature.objects.filter(pk=signature_id, campaign__lead_organisation_id=organisation_id).update(
            contact_consent=False
        )
        if withdrawn:
            AuditEntry.objects.create(
                action="consent_withdrawn",
                signature_id=signature_id,
                campaign_id=Signature.objects.filter(pk=signature_id).values_list("campaign_id", flat=True).first(),
                detail={"organisation_id": organisation_id, "by": "signer"},
            )
    if withdrawn:
        logger.info("signature %s withdrew consent for organisation %s", signature_id, organisation_id)
    return bool(withdrawn)
