"""Import jobs from the admin: the uploaded file kept privately, the run in a worker, progress in the cache.

The job row says what was asked and what came of it; a worker claims a
queued job with a conditional update, so two workers never run it twice.
The file is deleted once it has been imported.
"""

import logging
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.utils import timezone
from redis.exceptions import RedisError

from ..models import ImportJob
from .importer import ImportOptions, read_heading, run_import
from .report import ImportReport

logger = logging.getLogger(__name__)

CHUNK = 1 << 20
PROGRESS_TTL = 3600
# A running job whose worker died rolled back everything; after this long it is queued again
# (a second run of a job still alive waits for the campaign's import lock and then adds nothing).
STALLED_AFTER = timedelta(hours=1)
# Uploaded files not imported within this time are deleted: they hold personal data.
ABANDONED_AFTER = timedelta(hours=24)


def import_path(job: ImportJob) -> Path:
    return Path(settings.IMPORT_ROOT) / (job.file_name or "deleted")


def store_upload(uploaded) -> tuple[str, int]:
    """Write an uploaded file into IMPORT_ROOT under a name nobody can guess; returns (name, size)."""
    root = Path(settings.IMPORT_ROOT)
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = f"{uuid.uuid4().hex}.csv"
    size = 0
    with open(root / name, "xb") as handle:
        for chunk in uploaded.chunks(CHUNK):
            handle.write(chunk)
            size += len(chunk)
    (root / name).chmod(0o600)
    return name, size


def headings(job: ImportJob) -> list[str]:
    return read_heading(import_path(job))[0]


def progress_key(job_id: int) -> str:
    return f"imports:progress:{job_id}"


def progress_percent(job: ImportJob) -> int:
    if job.status == ImportJob.Status.DONE:
        return 100
    try:
        return int(cache.get(progress_key(job.pk)) or 0)
    except (RedisError, OSError):
        return 0


def note_progress(job_id: int):
    def note(done: int, total: int) -> None:
        try:
            cache.set(progress_key(job_id), min(99, 100 * done // total) if total else 0, timeout=PROGRESS_TTL)
        except (RedisError, OSError):
            pass

    return note


def run_job(job_id: int) -> ImportReport | None:
    """Run a queued job once; None when another worker has it or it is not queued."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    job = ImportJob.objects.select_related("campaign", "partner").get(pk=job_id)
    options = ImportOptions(
        campaign=job.campaign,
        mapping=job.mapping,
        partner=job.partner,
        verified_by_partner=job.verified_by_partner,
        dry_run=job.dry_run,
        job_id=job.pk,
    )
    try:
        report = run_import(import_path(job), options, progress=note_progress(job.pk))
    except (DatabaseError, OSError) as exc:
        logger.error("import job %s failed: %s", job.pk, type(exc).__name__)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, finished_at=timezone.now(),
            report={"problems": ["The import failed and nothing was imported; try again."]},
        )
        return None
    finished = {
        "status": ImportJob.Status.DONE,
        "finished_at": timezone.now(),
        "report": {**report.as_dict(), "mapping": job.mapping},
    }
    if not job.dry_run and not report.problems:
        finished["imported_at"] = timezone.now()
        finished["file_name"] = ""
        import_path(job).unlink(missing_ok=True)
    ImportJob.objects.filter(pk=job.pk).update(**finished)
    return report


def requeue_stalled() -> list[int]:
    """Jobs to enqueue again: queued ones (an enqueue may have been lost) and running ones whose worker died."""
    now = timezone.now()
    ImportJob.objects.filter(status=ImportJob.Status.RUNNING, started_at__lt=now - STALLED_AFTER).update(
        status=ImportJob.Status.QUEUED
    )
    return list(
        ImportJob.objects.filter(status=ImportJob.Status.QUEUED, created_at__lt=now - timedelta(minutes=2))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def delete_abandoned_files() -> int:
    """Delete the files of jobs never imported within ABANDONED_AFTER; the job rows and reports stay."""
    deleted = 0
    abandoned = ImportJob.objects.filter(
        imported_at__isnull=True, created_at__lt=timezone.now() - ABANDONED_AFTER
    ).exclude(status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING])
    for job in abandoned.exclude(file_name=""):
        import_path(job).unlink(missing_ok=True)
        ImportJob.objects.filter(pk=job.pk).update(file_name="")
        deleted += 1
    return deleted
