"""The audit log of what staff and scheduled jobs did to signatures."""

from .models import AuditEntry, BulkInvalidation


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


def audit_each(actor, action: str, rows: list[tuple[int, int]], detail_for) -> None:
    """One entry per signature: rows are (signature id, campaign id)."""
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(actor=actor, action=action, signature_id=pk, campaign_id=campaign_id, detail=detail_for(pk))
            for pk, campaign_id in rows
        ]
    )


def conditions_for_audit(invalidation: BulkInvalidation) -> dict:
    return {
        name: value.isoformat() if hasattr(value, "isoformat") else value
        for name, value in invalidation.conditions().items()
        if value
    }


def audit_bulk_invalidation(invalidation: BulkInvalidation, action: str, actor=None, **detail) -> None:
    AuditEntry.objects.create(
        actor=actor,
        action=action,
        campaign_id=invalidation.campaign_id,
        detail={"invalidation": invalidation.pk, **detail},
    )
