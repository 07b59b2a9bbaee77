"""Moderators' writes to signatures: resend, reject, restore, erase, bulk invalidation.

Every action works on a bounded list of ids, changes rows with conditional
updates under row locks taken in primary key order like the count fold's (so
a confirmation racing a rejection ends in one consistent state, and a fold
never deadlocks with a batch), records what it did in the audit log and asks for a fold:
the counts follow the statuses, never the other way round.
"""

import logging
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from campaigns.services import request_fold
from petition.enqueue import enqueue_after_commit

from . import services
from .models import AuditEntry, BulkInvalidation, Signature

logger = logging.getLogger(__name__)

# Staff actions from the changelist touch at most this many signatures;
# anything larger is a bulk invalidation, which runs in batches in a task.
MAX_SELECTION = 1000
BULK_BATCH = 1000

REJECTABLE = [Signature.Status.PENDING, Signature.Status.CONFIRMED]


class Action:
    RESEND = "resend_confirmation"
    REJECT = "reject"
    RESTORE = "restore"
    ERASE = "erase"
    BULK_STARTED = "bulk_invalidation_started"
    BULK_FINISHED = "bulk_invalidation_finished"
    BULK_CANCELLED = "bulk_invalidation_cancelled"
    BULK_UNDO_STARTED = "bulk_invalidation_undo_started"
    BULK_UNDONE = "bulk_invalidation_undone"


class TooManySignatures(Exception):
    """More signatures than one staff action may touch; use a bulk invalidation."""


def _bounded(signature_ids: Iterable[int]) -> list[int]:
    ids = sorted({int(pk) for pk in signature_ids})
    if len(ids) > MAX_SELECTION:
        raise TooManySignatures(len(ids))
    return ids


def _audit(actor, action: str, rows: list[tuple[int, int]], detail_for) -> None:
    """One entry per signature: rows are (signature id, campaign id)."""
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(actor=actor, action=action, signature_id=pk, campaign_id=campaign_id, detail=detail_for(pk))
            for pk, campaign_id in rows
        ]
    )


def _fold(campaign_ids: Iterable[int]) -> None:
    for campaign_id in sorted(set(campaign_ids)):
        request_fold(campaign_id)


def resend_confirmation(signature_ids: Iterable[int], actor=None) -> int:
    """Send the confirmation link again to pending signers who still have an address.

    An email already owed (for instance one that failed to send) is nudged:
    its failure mark is cleared and it is enqueued now. The per-signature
    email limit still holds. Returns how many were queued.
    """
    ids = _bounded(signature_ids)
    rows = list(
        Signature.objects.filter(pk__in=ids, status=Signature.Status.PENDING, erased_at__isnull=True).values_list(
            "pk", "campaign_id", "email_due"
        )
    )
    queued = []
    with transaction.atomic():
        for pk, campaign_id, email_due in rows:
            if email_due:
                nudged = (
                    Signature.objects.filter(pk=pk, status=Signature.Status.PENDING)
                    .exclude(email_due="")
                    .update(send_failed_at=None)
                )
                if nudged:
                    services.enqueue_email(pk)
            else:
                nudged = services.request_email(pk, Signature.Email.CONFIRM, required_status=Signature.Status.PENDING)
            if nudged:
                queued.append((pk, campaign_id))
        _audit(actor, Action.RESEND, queued, lambda pk: {})
    return len(queued)


def _reject_rows(ids: list[int], reason: str, invalidation_id: int | None = None) -> list[tuple[int, int, str]]:
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
        _fold(row[1] for row in rows)
    return rows


def reject(signature_ids: Iterable[int], reason: str, actor=None) -> int:
    """Reject as spam or fraud: the signature stops counting but stays, and can be restored."""
    ids = _bounded(signature_ids)
    with transaction.atomic():
        rows = _reject_rows(ids, reason)
        previous = {pk: status for pk, _, status in rows}
        _audit(
            actor,
            Action.REJECT,
            [(pk, campaign_id) for pk, campaign_id, _ in rows],
            lambda pk: {"reason": reason[:200], "previous_status": previous[pk]},
        )
    logger.info("rejected %s signatures", len(rows))
    return len(rows)


def _restore_rows(ids: list[int]) -> list[tuple[int, int, str]]:
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
    _fold(row[1] for row in restored)
    return restored


def restore(signature_ids: Iterable[int], actor=None) -> int:
    """Take back a rejection; the signature counts again if it had been confirmed."""
    ids = _bounded(signature_ids)
    with transaction.atomic():
        rows = _restore_rows(ids)
        status = {pk: new_status for pk, _, new_status in rows}
        _audit(
            actor,
            Action.RESTORE,
            [(pk, campaign_id) for pk, campaign_id, _ in rows],
            lambda pk: {"status": status[pk]},
        )
    return len(rows)


def erase(signature_ids: Iterable[int], actor=None) -> int:
    """Erase name, email, postcode and address hash; country and status stay, so counts survive."""
    ids = _bounded(signature_ids)
    with transaction.atomic():
        rows = list(
            Signature.objects.filter(pk__in=ids, erased_at__isnull=True)
            .order_by("pk")
            .select_for_update()
            .values_list("pk", "campaign_id")
        )
        for pk, _ in rows:
            services.erase_personal_data(pk)
        _audit(actor, Action.ERASE, rows, lambda pk: {})
        _fold(campaign_id for _, campaign_id in rows)
    logger.info("erased personal data of %s signatures", len(rows))
    return len(rows)


# Bulk invalidation


def _conditions_for_audit(invalidation: BulkInvalidation) -> dict:
    return {
        name: value.isoformat() if hasattr(value, "isoformat") else value
        for name, value in invalidation.conditions().items()
        if value
    }


def _bulk_audit(invalidation: BulkInvalidation, action: str, actor=None, **detail) -> None:
    AuditEntry.objects.create(
        actor=actor,
        action=action,
        campaign_id=invalidation.campaign_id,
        detail={"invalidation": invalidation.pk, **detail},
    )


def latest_signature_id() -> int:
    return Signature.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def start_bulk_invalidation(invalidation: BulkInvalidation, actor=None) -> BulkInvalidation:
    """Save an invalidation built from the admin form (with max_signature_id set at preview) and start it."""
    from .tasks import run_bulk_invalidation

    invalidation.created_by = actor
    invalidation.status = BulkInvalidation.Status.QUEUED
    invalidation.matched_count = invalidation.matching_signatures().count()
    with transaction.atomic():
        invalidation.save()
        _bulk_audit(
            invalidation,
            Action.BULK_STARTED,
            actor,
            conditions=_conditions_for_audit(invalidation),
            reason=invalidation.reason,
            matched=invalidation.matched_count,
        )
        enqueue_after_commit(run_bulk_invalidation, invalidation.pk)
    return invalidation


def run_bulk_invalidation(invalidation_id: int) -> int:
    """Reject the matching signatures batch by batch; safe to run twice or to resume.

    Each batch commits on its own with its progress and a fold request, so the
    admin sees progress and the counts follow while it runs. Returns how many
    this run rejected.
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
            rows = _reject_rows(ids, invalidation.reason, invalidation_id=invalidation_id)
            BulkInvalidation.objects.filter(pk=invalidation_id).update(rejected_count=F("rejected_count") + len(rows))
        rejected += len(rows)
    with transaction.atomic():
        finished = BulkInvalidation.objects.filter(pk=invalidation_id, status=BulkInvalidation.Status.RUNNING).update(
            status=final, finished_at=timezone.now()
        )
        if finished:
            invalidation.refresh_from_db()
            _bulk_audit(invalidation, Action.BULK_FINISHED, status=final, rejected=invalidation.rejected_count)
    logger.info("bulk invalidation %s rejected %s signatures in this run", invalidation_id, rejected)
    return rejected


def cancel_bulk_invalidation(invalidation_id: int, actor=None) -> bool:
    """Stop after the current batch; what was rejected stays rejected (undo takes it back)."""
    with transaction.atomic():
        BulkInvalidation.objects.filter(pk=invalidation_id, status=BulkInvalidation.Status.QUEUED).update(
            status=BulkInvalidation.Status.CANCELLED, finished_at=timezone.now()
        )
        requested = BulkInvalidation.objects.filter(
            pk=invalidation_id,
            status__in=[BulkInvalidation.Status.RUNNING, BulkInvalidation.Status.CANCELLED],
            cancel_requested_at__isnull=True,
        ).update(cancel_requested_at=timezone.now())
        if requested:
            _bulk_audit(BulkInvalidation.objects.get(pk=invalidation_id), Action.BULK_CANCELLED, actor)
    return bool(requested)


def undo_bulk_invalidation(invalidation_id: int, actor=None) -> bool:
    """Restore every signature this invalidation rejected (in a task, batch by batch)."""
    from .tasks import run_bulk_undo

    with transaction.atomic():
        started = BulkInvalidation.objects.filter(
            pk=invalidation_id, status__in=[BulkInvalidation.Status.DONE, BulkInvalidation.Status.CANCELLED]
        ).update(status=BulkInvalidation.Status.UNDOING, undo_requested_at=timezone.now())
        if started:
            _bulk_audit(BulkInvalidation.objects.get(pk=invalidation_id), Action.BULK_UNDO_STARTED, actor)
            enqueue_after_commit(run_bulk_undo, invalidation_id)
    return bool(started)


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
            rows = _restore_rows(ids)
            BulkInvalidation.objects.filter(pk=invalidation_id).update(restored_count=F("restored_count") + len(rows))
        restored += len(rows)
    with transaction.atomic():
        finished = BulkInvalidation.objects.filter(pk=invalidation_id, status=BulkInvalidation.Status.UNDOING).update(
            status=BulkInvalidation.Status.UNDONE, undone_at=timezone.now()
        )
        if finished:
            invalidation = BulkInvalidation.objects.get(pk=invalidation_id)
            _bulk_audit(invalidation, Action.BULK_UNDONE, restored=invalidation.restored_count)
    return restored


def resume_bulk_work(invalidation_id: int) -> bool:
    """Enqueue the task again for an invalidation (or undo) whose task was lost; the tasks are idempotent."""
    from .tasks import run_bulk_invalidation, run_bulk_undo

    invalidation = BulkInvalidation.objects.filter(pk=invalidation_id).first()
    if invalidation is None:
        return False
    if invalidation.status in (BulkInvalidation.Status.QUEUED, BulkInvalidation.Status.RUNNING):
        enqueue_after_commit(run_bulk_invalidation, invalidation_id)
        return True
    if invalidation.status == BulkInvalidation.Status.UNDOING:
        enqueue_after_commit(run_bulk_undo, invalidation_id)
        return True
    return False
