"""Background export files in private storage: written by a worker, offered to whoever asked, deleted in time."""

import glob
import os
import secrets
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from ..models import SignatureExport
from .records import ProgressRecorder, fail_export, finish_export
from .spec import ExportSpec
from .stream import ExportStream

# A background export that has not reported progress for this long lost its worker.
STALLED_AFTER = timedelta(minutes=10)
# Queued exports older than this lost their enqueue (broker down); the sweep enqueues them again.
QUEUED_GRACE = timedelta(minutes=2)


def export_path(file_name: str) -> Path:
    root = Path(settings.EXPORT_ROOT)
    path = (root / file_name).resolve()
    if path.parent != root.resolve():
        raise ValueError("export files live directly in EXPORT_ROOT")
    return path


def build_file(export_id: int) -> bool:
    """Write a queued export to a private file, reporting progress; False when it is not ours to build.

    The conditional update claims the export, so a task delivered twice builds
    it once. The file is written under a temporary name and renamed when
    complete, so a half-written file is never offered.
    """
    claimed = SignatureExport.objects.filter(pk=export_id, status=SignatureExport.Status.QUEUED).update(
        status=SignatureExport.Status.RUNNING, progress_at=timezone.now(), row_count=0
    )
    if not claimed:
        return False
    export = SignatureExport.objects.select_related("requested_by").get(pk=export_id)
    root = Path(settings.EXPORT_ROOT)
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    file_name = f"export-{export.pk}-{secrets.token_hex(8)}.csv"
    partial = export_path(file_name + ".partial")
    stream = None
    try:
        stream = ExportStream(ExportSpec.from_record(export))
        progress = ProgressRecorder(export.pk)
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            for chunk in stream:
                out.write(chunk)
                progress.rows_written(stream.row_count)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, export_path(file_name))
    except Exception as exc:
        partial.unlink(missing_ok=True)
        fail_export(export.pk, f"could not write the file ({type(exc).__name__})", stream and stream.row_count)
        return False
    finish_export(export, stream, file_name=file_name)
    return True


def downloadable_file(export: SignatureExport, now: datetime | None = None) -> Path | None:
    """The file of a finished background export while it is still offered."""
    now = now or timezone.now()
    if export.status != SignatureExport.Status.DONE or not export.file_name:
        return None
    if export.expires_at is None or export.expires_at <= now:
        return None
    path = export_path(export.file_name)
    return path if path.exists() else None


def delete_expired_files(now: datetime | None = None) -> int:
    """Delete background files past their time; the record stays, marked expired."""
    now = now or timezone.now()
    expired = SignatureExport.objects.filter(status=SignatureExport.Status.DONE, expires_at__lte=now)
    deleted = 0
    for export_id, file_name in expired.values_list("pk", "file_name"):
        if file_name:
            export_path(file_name).unlink(missing_ok=True)
        deleted += SignatureExport.objects.filter(pk=export_id, status=SignatureExport.Status.DONE).update(
            status=SignatureExport.Status.EXPIRED, file_name="", file_deleted_at=now
        )
    return deleted


def fail_stalled_exports(now: datetime | None = None) -> int:
    """Background exports whose worker died: mark them failed and remove their partial files."""
    now = now or timezone.now()
    stalled = SignatureExport.objects.filter(status=SignatureExport.Status.RUNNING).filter(
        Q(progress_at__isnull=True) | Q(progress_at__lt=now - STALLED_AFTER)
    )
    failed = 0
    for export_id, channel in stalled.values_list("pk", "channel"):
        if channel == SignatureExport.Channel.FILE:
            for partial in glob.glob(str(Path(settings.EXPORT_ROOT) / f"export-{export_id}-*.partial")):
                Path(partial).unlink(missing_ok=True)
        failed += (
            SignatureExport.objects.filter(pk=export_id, status=SignatureExport.Status.RUNNING)
            .filter(Q(progress_at__isnull=True) | Q(progress_at__lt=now - STALLED_AFTER))
            .update(status=SignatureExport.Status.FAILED, error="stopped without finishing", finished_at=now)
        )
    return failed


def queued_export_ids(now: datetime | None = None) -> list[int]:
    """Background exports still waiting after their task should have started: the enqueue was lost."""
    now = now or timezone.now()
    return list(
        SignatureExport.objects.filter(status=SignatureExport.Status.QUEUED, created_at__lt=now - QUEUED_GRACE)
        .order_by("created_at")
        .values_list("pk", flat=True)
    )
