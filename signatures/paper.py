"""Paper signatures typed in by staff: verified by whoever enters them, so they count at once.

A row that duplicates an existing signature of the campaign (online or
paper) is not saved: by canonical email (the unique constraint decides), or
without an email by name, postcode and country (checked under the campaign's
import lock, which imports take too).
"""

from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import Value
from django.db.models.functions import Lower, Replace, Upper
from django.utils import timezone, translation

from campaigns.models import Campaign

from . import webhook_events
from .forms import lead_consent_text
from .intake.rows import CleanRow
from .intake.staging import lock_campaign_imports
from .models import Consent, Signature
from .services import request_fold


@dataclass
class PaperOutcome:
    signature: Signature | None = None
    # The signature this row duplicates, when it was not saved.
    duplicate_of: Signature | None = None


def duplicate_by_name(campaign: Campaign, row: CleanRow) -> Signature | None:
    return (
        Signature.objects.filter(campaign=campaign, country=row.country)
        .exclude(first_name="")
        .annotate(
            first=Lower("first_name"),
            last=Lower("last_name"),
            code=Upper(Replace("postcode", Value(" "), Value(""))),
        )
        .filter(
            first=row.first_name.lower(),
            last=row.last_name.lower(),
            code=row.postcode.replace(" ", "").upper(),
        )
        .order_by("pk")
        .first()
    )


def enter_paper_signature(
    campaign: Campaign, row: CleanRow, *, contact_consent: bool, sheet_reference: str, entered_by
) -> PaperOutcome:
    now = timezone.now()
    lead = campaign.lead_organisation
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                lock_campaign_imports(cursor, campaign.pk)
            if not row.email_canonical:
                existing = duplicate_by_name(campaign, row)
                if existing is not None:
                    return PaperOutcome(duplicate_of=existing)
            signature = Signature.objects.create(
                campaign=campaign,
                first_name=row.first_name,
                last_name=row.last_name,
                email=row.email,
                email_canonical=row.email_canonical,
                country=row.country,
                postcode=row.postcode,
                language=row.language,
                status=Signature.Status.CONFIRMED,
                confirmed_at=now,
                contact_consent=contact_consent,
                source=Signature.Source.PAPER,
                entered_by=entered_by,
                sheet_reference=sheet_reference,
            )
            if contact_consent and lead is not None:
                with translation.override(row.language):
                    Consent.objects.create(signature=signature, organisation=lead, text_shown=lead_consent_text(lead))
            webhook_events.record(signature.pk, webhook_events.CONFIRMED)
            request_fold(campaign.pk)
    except IntegrityError:
        existing = Signature.objects.filter(campaign=campaign, email_canonical=row.email_canonical).first()
        if existing is None:
            raise
        return PaperOutcome(duplicate_of=existing)
    return PaperOutcome(signature=signature)
