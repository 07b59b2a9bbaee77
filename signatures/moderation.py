"""Moderators' writes to signatures: resend, reject, restore, erase, and starting bulk invalidations.

Every action works on a bounded list of ids, changes rows with conditional
updates under row locks (signatures.rejection), records what it did in the
audit log and asks for a fold: the counts follow the statuses, never the other
way round. Bulk invalidations run in a task (signatures.bulk_invalidation).
"""

import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from petition.enqueue import enqueue_after_commit

from . import services
from .audit import Action, audit_bulk_invalidation, audit_each, conditions_for_audit
from .erasure import erase_signatures
from .models import BulkInvalidation, Signature
from .rejection import reject_rows, restore_rows
from .tasks import run_bulk_invalidation, run_bulk_undo

logger = logging.getLogger(__name__)

# Staff actions from the changelist touch at most this many signatures;
# anything larger is a bulk invalidation, which runs in batches in a task.
MAX_SELECTION = 1000


class TooManySignatures(Exception):
    """More signatures than one staff action may touch; use a bulk invalidation."""


def _bounded(signature_ids: Iterable[int]) -> list[int]:
    ids = sorted({int(pk) for pk in signature_ids})
    if len(ids) > MAX_SELECTION:
        raise TooManySignatures(len(ids))
    return ids


def _fold(campaign_ids: Iterable[int]) -> None:
    for campaign_id in sorted(set(campaign_ids)):
        services.request_fold(campaign_id)


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
                    .update(send_failed_at=None, email_not_before=None, email_attempts=0)
                )
                if nudged:
                    services.enqueue_email(pk)
            else:
                nudged = services.request_email(pk, Signature.Email.CONFIRM, required_status=Signature.Status.PENDING)
            if nudged:
                queued.append((pk, campaign_id))
        audit_each(actor, Action.RESEND, queued, lambda pk: {})
    return len(queued)


def reject(signature_ids: Iterable[int], reason: str, actor=None) -> int:
    """Reject as spam or fraud: the signature stops counting but stays, and can be restored."""
    ids = _bounded(signature_ids)
    with transaction.atomic():
        rows = reject_rows(ids, reason)
        _fold(row[1] for row in rows)
        previous = {pk: status for pk, _, status in rows}
        audit_each(
            actor,
            Action.REJECT,
            [(pk, campaign_id) for pk, campaign_id, _ in rows],
            lambda pk: {"reason": reason[:200], "previous_status": previous[pk]},
        )
    logger.info("rejected %s signatures", len(rows))
    return len(rows)


def restore(signature_ids: Iterable[int], actor=None) -> int:
    """Take back a rejection; the signature counts again if it had been confirmed."""
    ids = _bounded(signature_ids)
    with transaction.atomic():
        rows = restore_rows(ids)
        _fold(row[1] for row in rows)
        status = {pk: new_status for pk, _, new_status in rows}
        audit_each(
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
        erase_signatures([pk for pk, _ in rows])
        audit_each(actor, Action.ERASE, rows, lambda pk: {})
        _fold(campaign_id for _, campaign_id in rows)
    logger.info("erased personal data of %s signatures", len(rows))
    return len(rows)


# Bulk invalidation


def latest_signature_id() -> int:
    return Signature.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def start_bulk_invalidation(invalidation: BulkInvalidation, actor=None) -> BulkInvalidation:
    """Save an invalidation built from the admin form (with max_signature_id set at preview) and start it."""
    invalidation.created_by = actor
    invalidation.status = BulkInvalidation.Status.QUEUED
    invalidation.matched_count = invalidation.matching_signatures().count()
    with transaction.atomic():
        invalidation.save()
        audit_bulk_invalidation(
            invalidation,
            Action.BULK_STARTED,
            actor,
            conditions=conditions_for_audit(invalidation),
            reason=invalidation.reason,
            matched=invalidation.matched_count,
        )
        enqueue_after_commit(run_bulk_invalidation, invalidation.pk)
    return invalidation


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
            audit_bulk_invalidation(BulkInvalidation.objects.get(pk=invalidation_id), Action.BULK_CANCELLED, actor)
    return bool(requested)


def undo_bulk_invalidation(invalidation_id: int, actor=None) -> bool:
    """Restore every signature this invalidation rejected (in a task, batch by batch)."""
    with transaction.atomic():
        started = BulkInvalidation.objects.filter(
            pk=invalidation_id, status__in=[BulkInvalidation.Status.DONE, BulkInvalidation.Status.CANCELLED]
        ).update(status=BulkInvalidation.Status.UNDOING, undo_requested_at=timezone.now())
        if started:
            audit_bulk_invalidation(BulkInvalidation.objects.get(pk=invalidation_id), Action.BULK_UNDO_STARTED, actor)
            enqueue_after_commit(run_bulk_undo, invalidation_id)
    return bool(started)


def resume_bulk_work(invalidation_id: int) -> bool:
    """Enqueue the task again for an invalidation (or undo) whose task was lost; the tasks are idempotent."""
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
