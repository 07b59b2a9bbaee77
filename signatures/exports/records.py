"""The record of each export: a SignatureExport with the SHA-256 of exactly the bytes that left, and an audit entry."""

import logging
from collections.abc import Iterator
from datetime import timedelta
from time import monotonic

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import AuditEntry, SignatureExport
from .spec import ExportSpec
from .stream import ExportStream

logger = logging.getLogger(__name__)

# Progress is written at most this often: a million rows need not mean fifty commits.
PROGRESS_SECONDS = 1.0

AUDIT_EXPORTED = "signatures_exported"
AUDIT_DOWNLOADED = "export_downloaded"


def start_export(
    spec: ExportSpec, *, user, channel: str, rows_expected: int | None = None, requested_by_name: str = ""
) -> SignatureExport:
    """Record an export before any row leaves; background files wait in the queue."""
    status = SignatureExport.Status.QUEUED if channel == SignatureExport.Channel.FILE else SignatureExport.Status.RUNNING
    return SignatureExport.objects.create(
        campaign_id=spec.campaign_id,
        requested_by=user,
        requested_by_name=requested_by_name or (user.get_username() if user else ""),
        purpose=spec.purpose,
        channel=channel,
        filters=spec.filters_json(),
        include_bom=spec.include_bom,
        status=status,
        rows_expected=rows_expected,
        progress_at=timezone.now() if status == SignatureExport.Status.RUNNING else None,
    )


def finish_export(export: SignatureExport, stream: ExportStream, *, file_name: str = "") -> None:
    now = timezone.now()
    export.status = SignatureExport.Status.DONE
    export.row_count = stream.row_count
    export.size_bytes = stream.size_bytes
    export.checksum = stream.checksum
    export.finished_at = now
    export.progress_at = now
    export.file_name = file_name
    export.error = ""
    if file_name:
        export.expires_at = now + timedelta(hours=settings.EXPORT_FILE_TTL_HOURS)
    with transaction.atomic():
        export.save(
            update_fields=[
                "status", "row_count", "size_bytes", "checksum", "finished_at", "progress_at", "file_name",
                "expires_at", "error",
            ]
        )
        AuditEntry.objects.create(
            actor=export.requested_by,
            action=AUDIT_EXPORTED,
            campaign_id=export.campaign_id,
            detail={
                "export_id": export.pk,
                "purpose": export.purpose,
                "channel": export.channel,
                "filters": export.filters,
                "rows": export.row_count,
                "sha256": export.checksum,
            },
        )
    logger.info("export %s done: %s rows", export.pk, export.row_count)


def fail_export(export_id: int, reason: str, rows_written: int | None = None) -> None:
    """Mark an export that did not complete; reason must never hold personal data."""
    changes = {"status": SignatureExport.Status.FAILED, "error": reason[:200], "finished_at": timezone.now()}
    if rows_written is not None:
        changes["row_count"] = rows_written
    SignatureExport.objects.filter(pk=export_id).exclude(status=SignatureExport.Status.DONE).update(**changes)
    logger.warning("export %s failed: %s", export_id, reason)


def record_progress(export_id: int, rows_written: int) -> None:
    SignatureExport.objects.filter(pk=export_id, status=SignatureExport.Status.RUNNING).update(
        row_count=rows_written, progress_at=timezone.now()
    )


class ProgressRecorder:
    def __init__(self, export_id: int):
        self.export_id = export_id
        self.recorded_at = None

    def rows_written(self, rows: int) -> None:
        now = monotonic()
        if self.recorded_at is None or now - self.recorded_at >= PROGRESS_SECONDS:
            record_progress(self.export_id, rows)
            self.recorded_at = now


def recorded_stream(export: SignatureExport, spec: ExportSpec) -> Iterator[bytes]:
    """Yield the CSV and record the outcome once the last byte has gone, or the reader gave up."""
    stream = ExportStream(spec)
    progress = ProgressRecorder(export.pk)
    completed = False
    try:
        for chunk in stream:
            yield chunk
            progress.rows_written(stream.row_count)
        completed = True
    finally:
        if completed:
            finish_export(export, stream)
        else:
            fail_export(export.pk, "stopped before the end (reader went away or an error)", stream.row_count)


def record_download(export: SignatureExport, user) -> None:
    AuditEntry.objects.create(
        actor=user, action=AUDIT_DOWNLOADED, campaign_id=export.campaign_id, detail={"export_id": export.pk}
    )
