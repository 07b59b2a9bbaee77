"""Finding rows that, with the canonical domain of today, turn out to be one mailbox signing twice.

Used once by migration 0010 (with the historical models it passes in) and by
tests: rows whose address has characters outside ASCII get their canonical
address recomputed; where that makes several rows of a campaign share one,
the earliest keeps counting and the others are kept for moderators as
rejected duplicates of it (duplicate_of), nothing deleted.
"""

from collections import defaultdict

from django.db.models import Q
from django.utils import timezone

from .emailaddr import UndeliverableAddress, canonical_email

DUPLICATE_REASON = "duplicate: the same mailbox signed earlier as signature %d"


def recompute_canonical_addresses(signature_model, audit_model) -> int:
    """Recompute canonical addresses of non-ASCII rows and mark duplicates; returns how many were marked."""
    changed = defaultdict(list)
    rows = (
        signature_model.objects.filter(Q(email__regex=r"[^\x01-\x7f]") | Q(email_canonical__regex=r"[^\x01-\x7f]"))
        .exclude(email="")
        .only("pk", "campaign_id", "email", "email_canonical", "created_at", "status", "duplicate_of_id")
    )
    for row in rows.iterator(chunk_size=2000):
        try:
            new = canonical_email(row.email)
        except UndeliverableAddress:
            continue  # kept as it was: nothing could have been delivered to it anyway
        if new != row.email_canonical:
            changed[(row.campaign_id, new)].append(row)
    now = timezone.now()
    marked_per_campaign = defaultdict(int)
    for (campaign_id, canonical), rows in changed.items():
        holder = signature_model.objects.filter(
            campaign_id=campaign_id, email_canonical=canonical, duplicate_of__isnull=True
        ).first()
        group = sorted([*rows, *([holder] if holder else [])], key=lambda row: (row.created_at, row.pk))
        keeper, duplicates = group[0], group[1:]
        # Duplicates leave the unique constraint first, then the keeper takes the canonical address.
        for duplicate in duplicates:
            signature_model.objects.filter(pk=duplicate.pk).update(
                duplicate_of_id=keeper.pk,
                email_canonical=canonical,
                status="rejected",
                rejected_at=now,
                rejection_reason=DUPLICATE_REASON % keeper.pk,
                email_due="",
            )
            marked_per_campaign[campaign_id] += 1
        if keeper.email_canonical != canonical:
            signature_model.objects.filter(pk=keeper.pk).update(email_canonical=canonical)
    for campaign_id, count in marked_per_campaign.items():
        audit_model.objects.create(
            action="duplicate_mailboxes_marked", campaign_id=campaign_id, detail={"count": count, "by": "migration"}
        )
    return sum(marked_per_campaign.values())
