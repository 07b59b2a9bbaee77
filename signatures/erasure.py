"""Erasing a signer's personal data: what stays is what the counts and statistics need."""

from django.db import transaction
from django.utils import timezone

from .models import Consent, Signature

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


def erase_signatures(signature_ids: list[int]) -> int:
    """Erase the personal data of these signatures and end their consents; returns how many were erased."""
    now = timezone.now()
    with transaction.atomic():
        erased = Signature.objects.filter(pk__in=signature_ids).update(**ERASED_FIELDS, erased_at=now)
        Consent.objects.filter(signature_id__in=signature_ids, withdrawn_at__isnull=True).update(withdrawn_at=now)
    return erased
