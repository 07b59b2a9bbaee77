"""Signature list exports: one code path for the admin download, the background file and the command line.

Rows leave PostgreSQL through `COPY (SELECT ...) TO STDOUT` in chunks of
CHUNK_ROWS, walking the primary key (keyset pagination). Each chunk is one
short statement, so memory stays flat however long the list, no transaction
is held open while a browser downloads, and the chunks can be handed out one
at a time to a streaming response, a file or stdout alike.

Every text cell is made safe for spreadsheets in the SELECT itself (see
SpreadsheetSafe), so no path can forget it. Every export is recorded in a
SignatureExport with the SHA-256 of exactly the bytes that left, and an
AuditEntry.
"""

import glob
import hashlib
import logging
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from time import monotonic

from django.conf import settings
from django.db import connection, transaction
from django.db.models import CharField, F, Func, Q, QuerySet
from django.utils import timezone

from .models import AuditEntry, Signature, SignatureExport

logger = logging.getLogger(__name__)

CHUNK_ROWS = 50_000
# Progress is written at most this often: a million rows need not mean fifty commits.
PROGRESS_SECONDS = 1.0
# A background export that has not reported progress for this long lost its worker.
STALLED_AFTER = timedelta(minutes=10)
# Queued exports older than this lost their enqueue (broker down); the sweep enqueues them again.
QUEUED_GRACE = timedelta(minutes=2)

BOM = b"\xef\xbb\xbf"
EXPORTABLE_STATUSES = (Signature.Status.CONFIRMED, Signature.Status.PENDING)

AUDIT_EXPORTED = "signatures_exported"
AUDIT_DOWNLOADED = "export_downloaded"


class InvalidExport(ValueError):
    """The filters ask for something no export may contain."""


class ExportUnavailable(RuntimeError):
    """Exports need PostgreSQL's COPY; the embedded SQLite database has none."""


class SpreadsheetSafe(Func):
    """A text column with a quote put before a leading = + - @ tab or carriage return.

    Spreadsheet programs run a cell that starts with one of these as a formula
    (OWASP, "CSV injection"); with the quote they show it as text. ascii()
    compares the first character as an integer, much cheaper over a million
    rows than left(). The column appears three times in the template, so it
    takes a plain column reference, never an expression with parameters.
    """

    template = (
        "(CASE WHEN ascii(%(expressions)s) IN (61, 43, 45, 64, 9, 13) "
        "THEN '''' || %(expressions)s ELSE %(expressions)s END)"
    )
    arity = 1
    output_field = CharField()

    def __init__(self, column: str):
        super().__init__(F(column))


class UtcTimestamp(Func):
    """2025-03-01 09:30:00: UTC to the second, a form every spreadsheet reads as a date."""

    template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
    arity = 1
    output_field = CharField()

    def __init__(self, column: str):
        super().__init__(F(column))


# Column headers are stable machine names, not translated: files from the
# admin and the command line must be identical whoever runs them, and the
# institutions that receive them read them with scripts as well as by eye.
COLUMNS = {
    SignatureExport.Purpose.VERIFIED: [
        ("first_name", SpreadsheetSafe("first_name")),
        ("last_name", SpreadsheetSafe("last_name")),
        ("country", SpreadsheetSafe("country")),
        ("postcode", SpreadsheetSafe("postcode")),
        ("confirmed_at_utc", UtcTimestamp("confirmed_at")),
        ("partner", SpreadsheetSafe("partner__name")),
    ],
    SignatureExport.Purpose.CONTACT: [
        ("first_name", SpreadsheetSafe("first_name")),
        ("last_name", SpreadsheetSafe("last_name")),
        ("email", SpreadsheetSafe("email")),
        ("country", SpreadsheetSafe("country")),
        ("language", SpreadsheetSafe("language")),
        ("consent_given_at_utc", UtcTimestamp("consents__given_at")),
    ],
}


@dataclass(frozen=True)
class ExportSpec:
    """What to export: a campaign, a purpose and the filters, as validated by ExportForm."""

    campaign_id: int
    purpose: str = SignatureExport.Purpose.VERIFIED
    statuses: tuple[str, ...] = (Signature.Status.CONFIRMED,)
    countries: tuple[str, ...] = ()
    partner_id: int | None = None
    confirmed_from: date | None = None
    confirmed_to: date | None = None
    consented_to_id: int | None = None
    include_bom: bool = False

    def __post_init__(self):
        # Checked here as well as in the form: these are the rules that keep
        # personal data in, whoever builds a spec.
        if self.purpose not in COLUMNS:
            raise InvalidExport(f"unknown purpose {self.purpose!r}")
        if not self.statuses or not set(self.statuses) <= set(EXPORTABLE_STATUSES):
            raise InvalidExport("only confirmed and pending signatures can be exported")
        if self.purpose == SignatureExport.Purpose.CONTACT:
            if self.consented_to_id is None:
                raise InvalidExport("a contact list is for one organisation the signers consented to")
            if tuple(self.statuses) != (Signature.Status.CONFIRMED,):
                raise InvalidExport("a contact list holds confirmed signatures only")
        if self.confirmed_from and self.confirmed_to and self.confirmed_from > self.confirmed_to:
            raise InvalidExport("the confirmation date range ends before it starts")

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(name for name, _ in COLUMNS[self.purpose])

    def filters_json(self) -> dict:
        return {
            "status": list(self.statuses),
            "country": list(self.countries),
            "partner_id": self.partner_id,
            "confirmed_from": self.confirmed_from.isoformat() if self.confirmed_from else None,
            "confirmed_to": self.confirmed_to.isoformat() if self.confirmed_to else None,
            "consented_to_id": self.consented_to_id,
        }

    @classmethod
    def from_record(cls, export: SignatureExport) -> "ExportSpec":
        filters = export.filters
        return cls(
            campaign_id=export.campaign_id,
            purpose=export.purpose,
            statuses=tuple(filters.get("status") or (Signature.Status.CONFIRMED,)),
            countries=tuple(filters.get("country") or ()),
            partner_id=filters.get("partner_id"),
            confirmed_from=date.fromisoformat(filters["confirmed_from"]) if filters.get("confirmed_from") else None,
            confirmed_to=date.fromisoformat(filters["confirmed_to"]) if filters.get("confirmed_to") else None,
            consented_to_id=filters.get("consented_to_id"),
            include_bom=export.include_bom,
        )


def start_of_day(day: date) -> datetime:
    """Date filters are UTC days, like the times in the files."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def matching_signatures(spec: ExportSpec, after_id: int = 0) -> QuerySet:
    """The signatures an export holds, from after_id on. Erased, withdrawn and rejected ones never do."""
    signatures = Signature.objects.filter(
        campaign_id=spec.campaign_id, status__in=spec.statuses, erased_at__isnull=True, pk__gt=after_id
    )
    if spec.countries:
        signatures = signatures.filter(country__in=spec.countries)
    if spec.partner_id is not None:
        signatures = signatures.filter(partner_id=spec.partner_id)
    if spec.confirmed_from:
        signatures = signatures.filter(confirmed_at__gte=start_of_day(spec.confirmed_from))
    if spec.confirmed_to:
        signatures = signatures.filter(confirmed_at__lt=start_of_day(spec.confirmed_to + timedelta(days=1)))
    if spec.consented_to_id is not None:
        # One filter() call, so the consent columns selected later come from this same join.
        # PostgreSQL does not carry "id > after_id" across the join by itself; without it
        # every chunk would scan the consents from the start.
        signatures = signatures.filter(
            consents__organisation_id=spec.consented_to_id,
            consents__withdrawn_at__isnull=True,
            consents__signature_id__gt=after_id,
        )
    return signatures


def count_rows(spec: ExportSpec) -> int:
    return matching_signatures(spec).count()


def header_bytes(spec: ExportSpec) -> bytes:
    return (BOM if spec.include_bom else b"") + (",".join(spec.headers) + "\n").encode()


def chunk_query(spec: ExportSpec, after_id: int) -> tuple[str, tuple]:
    """SELECT id, then the purpose's columns, for the next CHUNK_ROWS signatures after after_id."""
    columns = {f"export_col_{i}": expression for i, (_, expression) in enumerate(COLUMNS[spec.purpose])}
    chunk = (
        matching_signatures(spec, after_id)
        .annotate(**columns)
        .order_by("pk")
        .values_list("pk", *columns)[:CHUNK_ROWS]
    )
    return chunk.query.sql_with_params()


class CopiedRows:
    """Receives one chunk from COPY and cuts the leading id off each row.

    psycopg2 calls write() once per CopyData message, and PostgreSQL sends
    exactly one message per row for COPY TO, so each call is one CSV line
    starting with the integer id (never quoted) and a comma.
    """

    def __init__(self):
        self.rows: list[bytes] = []
        self.last_row = b""

    def write(self, row: bytes) -> None:
        self.rows.append(row[row.index(b",") + 1 :])
        self.last_row = row

    def last_id(self) -> int:
        return int(self.last_row[: self.last_row.index(b",")])


def copy_chunk(spec: ExportSpec, after_id: int) -> CopiedRows:
    sql, params = chunk_query(spec, after_id)
    received = CopiedRows()
    with connection.cursor() as cursor:
        select = cursor.mogrify(sql, params).decode()
        cursor.copy_expert(f"COPY ({select}) TO STDOUT WITH (FORMAT csv)", received)
    return received


def exports_available() -> bool:
    return connection.vendor == "postgresql"


class ExportStream:
    """The CSV bytes of one export, chunk by chunk, tallying rows, size and SHA-256 as they pass."""

    def __init__(self, spec: ExportSpec):
        if not exports_available():
            raise ExportUnavailable("signature exports need PostgreSQL")
        self.spec = spec
        self.row_count = 0
        self.size_bytes = 0
        self._sha256 = hashlib.sha256()

    @property
    def checksum(self) -> str:
        return self._sha256.hexdigest()

    def _tally(self, data: bytes, rows: int) -> bytes:
        self._sha256.update(data)
        self.size_bytes += len(data)
        self.row_count += rows
        return data

    def __iter__(self) -> Iterator[bytes]:
        yield self._tally(header_bytes(self.spec), 0)
        after_id = 0
        while True:
            chunk = copy_chunk(self.spec, after_id)
            if chunk.rows:
                yield self._tally(b"".join(chunk.rows), len(chunk.rows))
                after_id = chunk.last_id()
            if len(chunk.rows) < CHUNK_ROWS:
                return


# The record of each export.


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


# Background files in private storage.


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


def record_download(export: SignatureExport, user) -> None:
    AuditEntry.objects.create(
        actor=user, action=AUDIT_DOWNLOADED, campaign_id=export.campaign_id, detail={"export_id": export.pk}
    )


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
