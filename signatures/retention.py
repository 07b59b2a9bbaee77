"""Keep personal data only as long as a purpose needs it.

- A signature never confirmed is deleted UNCONFIRMED_RETENTION_DAYS after it
  was made: it never counted, so nothing else changes.
- When a campaign has been closed for its retention_days, its signers'
  personal data is erased in place, keeping country and status so the counts
  and per-country figures survive.
- A signature's address hash serves the fraud view and bulk invalidation,
  which look back a week at most: it is blanked IP_HASH_RETENTION_DAYS after
  the signature was made, long before the retention date.

All run from beat tasks; anonymisation also from `manage.py anonymise_expired`.
Each leaves an audit entry per campaign with numbers, never names.
"""

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from campaigns.models import Campaign

from .erasure import erase_signatures
from .models import AuditEntry, Signature

logger = logging.getLogger(__name__)

BATCH = 1000


def delete_unconfirmed(now: datetime | None = None) -> int:
    """Delete pending signatures older than UNCONFIRMED_RETENTION_DAYS; returns how many."""
    now = now or timezone.now()
    days = settings.UNCONFIRMED_RETENTION_DAYS
    stale = Signature.objects.pending().filter(created_at__lt=now - timedelta(days=days), is_counted=False)
    deleted = 0
    while True:
        with transaction.atomic():
            # Locking the rows while still pending keeps a confirmation that
            # lands now from being deleted: it either wins or is skipped.
            rows = list(stale.select_for_update(skip_locked=True).values_list("pk", "campaign_id")[:BATCH])
            if not rows:
                break
            Signature.objects.filter(pk__in=[pk for pk, _ in rows]).delete()
            per_campaign = Counter(campaign_id for _, campaign_id in rows)
            AuditEntry.objects.bulk_create(
                [
                    AuditEntry(action="unconfirmed_deleted", campaign_id=campaign_id, detail={"count": n, "days": days})
                    for campaign_id, n in per_campaign.items()
                ]
            )
        deleted += len(rows)
    if deleted:
        logger.info("deleted %d signatures unconfirmed after %d days", deleted, days)
    return deleted


def closed_on(campaign: Campaign, now: datetime) -> datetime | None:
    """When the campaign stopped taking signatures, or None while it still takes them.

    Same rule as Campaign.accepts_confirmations: a passed closing date, else the
    moment it was closed by hand.
    """
    if campaign.phase(now) != "closed":
        return None
    if campaign.closes_at and campaign.closes_at <= now:
        return campaign.closes_at
    return campaign.closed_at or campaign.updated_at


def anonymise_after(campaign: Campaign, now: datetime) -> datetime | None:
    closed = closed_on(campaign, now)
    return closed + timedelta(days=campaign.retention_days) if closed else None


@dataclass
class Expired:
    campaign: Campaign
    closed_on: datetime
    signatures: int


def expired_campaigns(now: datetime | None = None) -> list[Expired]:
    """Closed campaigns past their retention period that still hold personal data."""
    now = now or timezone.now()
    found = []
    for campaign in Campaign.objects.exclude(status=Campaign.Status.DRAFT).order_by("pk"):
        deadline = anonymise_after(campaign, now)
        if deadline is None or deadline > now:
            continue
        remaining = Signature.objects.filter(campaign=campaign, erased_at__isnull=True).count()
        if remaining:
            found.append(Expired(campaign, closed_on(campaign, now), remaining))
    return found


def anonymise_campaign(campaign: Campaign) -> int:
    """Erase the personal data of every signer of this campaign; returns how many."""
    remaining = Signature.objects.filter(campaign=campaign, erased_at__isnull=True)
    anonymised = 0
    while ids := list(remaining.values_list("pk", flat=True)[:BATCH]):
        anonymised += erase_signatures(ids)
    if anonymised:
        AuditEntry.objects.create(
            action="retention_anonymised",
            campaign=campaign,
            detail={"count": anonymised, "retention_days": campaign.retention_days},
        )
        logger.info("anonymised %d signatures of campaign %s after retention", anonymised, campaign.pk)
    return anonymised


def anonymise_expired(now: datetime | None = None) -> int:
    return sum(anonymise_campaign(expired.campaign) for expired in expired_campaigns(now))


def forget_address_hashes(now: datetime | None = None) -> int:
    """Blank the address hash of signatures older than IP_HASH_RETENTION_DAYS; returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.IP_HASH_RETENTION_DAYS)
    old = Signature.objects.filter(created_at__lt=cutoff).exclude(ip_hash="")
    forgotten = 0
    while ids := list(old.values_list("pk", flat=True)[:BATCH]):
        forgotten += Signature.objects.filter(pk__in=ids).exclude(ip_hash="").update(ip_hash="")
    if forgotten:
        logger.info("forgot the address hash of %d signatures after %d days", forgotten, settings.IP_HASH_RETENTION_DAYS)
    return forgotten
