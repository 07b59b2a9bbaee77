"""Rejecting and restoring signature rows, for staff actions and bulk invalidations alike.

Rows are locked in primary key order like the count fold's, so a confirmation
racing a rejection ends in one consistent state and a fold never deadlocks
with a batch. The callers commit, audit and fold.
"""

from django.utils import timezone

from .models import Signature

REJECTABLE = [Signature.Status.PENDING, Signature.Status.CONFIRMED]


def reject_rows(ids: list[int], reason: str, invalidation_id: int | None = None) -> list[tuple[int, int, str]]:
    """Reject the pending or confirmed ones among ids; returns (id, campaign id, previous status)."""
    rows = list(
        Signature.objects.filter(pk__in=ids, status__in=REJECTABLE)
        .order_by("pk")
        .select_for_update()
        .values_list("pk", "campaign_id", "status")
    )
    if rows:
        Signature.objects.filter(pk__in=[row[0] for row in rows]).update(
            status=Signature.Status.REJECTED,
            rejected_at=timezone.now(),
            rejection_reason=reason[:200],
            invalidation_id=invalidation_id,
            email_due="",
        )
    return rows


def restore_rows(ids: list[int]) -> list[tuple[int, int, str]]:
    """Undo rejections: confirmed again if they had been confirmed, else pending. (id, campaign id, new status)."""
    rows = list(
        Signature.objects.filter(pk__in=ids, status=Signature.Status.REJECTED)
        .order_by("pk")
        .select_for_update()
        .values_list("pk", "campaign_id", "confirmed_at")
    )
    restored = []
    cleared = {"rejected_at": None, "rejection_reason": "", "invalidation_id": None}
    for new_status, was_confirmed in ((Signature.Status.CONFIRMED, True), (Signature.Status.PENDING, False)):
        chosen = [(pk, campaign_id) for pk, campaign_id, confirmed_at in rows if bool(confirmed_at) == was_confirmed]
        if chosen:
            Signature.objects.filter(pk__in=[pk for pk, _ in chosen]).update(status=new_status, **cleared)
            restored += [(pk, campaign_id, new_status) for pk, campaign_id in chosen]
    return restored
