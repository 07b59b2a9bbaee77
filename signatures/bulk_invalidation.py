"""Running a bulk invalidation (or its undo) in batches, in a worker.

Each batch commits on its own with its progress and is folded into the count
right away, so the admin sees progress and the counts follow while it runs.
Both runs are idempotent: delivered twice, or resumed, they pick up where the
rows say they are.
"""

import logging

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from .audit import Action, audit_bulk_invalidation
from .fold import fold_counts
from .models import BulkInvalidation, Signature
from .rejection import reject_rows, restore_rows

logger = logging.getLogger(__name__)

BULK_BATCH = 1000


def run_bulk_invalidation(invalidation_id: int) -> int:
    """Reject the matching signatures batch by batch; safe to run twice or to resume.

    Returns how many this run rejected.
    """
    claimed = BulkInvalidation.objects.filter(
        pk=invalidation_id,
        status__in=[BulkInvalidation.Status.QUEUED, BulkInvalidation.Status.RUNNING],
    ).update(status=BulkInvalidation.Status.RUNNING, started_at=Coalesce(F("started_at"), timezone.now()))
    if not claimed:
        return 0
    invalidation = BulkInvalidation.objects.get(pk=invalidation_id)
    rejected = 0
    while True:
        if BulkInvalidation.objects.filter(pk=invalidation_id, cancel_requested_at__isnull=False).exists():
            final = BulkInvalidation.Status.CANCELLED
            break
        ids = list(invalidation.matching_signatures().order_by("pk").values_list("pk", flat=True)[:BULK_BATCH])
        if not ids:
            final = BulkInvalidation.Status.DONE
            break
        with transaction.atomic():
            rows = reject_rows(ids, invalidation.reason, invalidation_id=invalidation_id)
            BulkInvalidation.objects.filter(pk=invalidation_id).update(rejected_count=F("rejected_count") + len(rows))
        rejected += len(rows)
        fold_counts(invalidation.campaign_id)
    with transaction.atomic():
        finished = BulkInvalidation.objects.filter(pk=invalidation_id, status=BulkInvalidation.Status.RUNNING).update(
            status=final, finished_at=timezone.now()
        )
        if finished:
            invalidation.refresh_from_db()
            audit_bulk_invalidation(invalidation, Action.BULK_FINISHED, status=final, rejected=invalidation.rejected_count)
    logger.info("bulk invalidation %s rejected %s signatures in this run", invalidation_id, rejected)
    return rejected


def run_bulk_undo(invalidation_id: int) -> int:
    if not BulkInvalidation.objects.filter(pk=invalidation_id, status=BulkInvalidation.Status.UNDOING).exists():
        return 0
    restored = 0
    while True:
        ids = list(
            Signature.objects.filter(invalidation_id=invalidation_id, status=Signature.Status.REJECTED)
            .order_by("pk")
            .values_list("pk", flat=True)[:BULK_BATCH]
        )
        if not ids:
            break
        with transaction.atomic():
            rows = restore_rows(ids)
            BulkInvalidation.objects.filter(pk=invalidation_id).update(restored_count=F("restored_count") + len(rows))
        restored += len(rows)
        for campaign_id in sorted({campaign_id for _, campaign_id, _ in rows}):
            fold_counts(campaign_id)
    with transaction.atomic():
        finished = BulkInvalidation.objects.filter(pk=invalidation_id, status=BulkInvalidation.Status.UNDOING).update(
            status=BulkInvalidation.Status.UNDONE, undone_at=timezone.now()
        )
        if finished:
            invalidation = BulkInvalidation.objects.get(pk=invalidation_id)
            audit_bulk_invalidation(invalidation, Action.BULK_UNDONE, restored=invalidation.restored_count)
    return restored
