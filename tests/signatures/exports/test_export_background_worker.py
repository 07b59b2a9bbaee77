"""Big exports are built by a real Celery worker, show progress, go to the requester only, and expire."""

import hashlib
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from signatures.exports import files, records, stream
from signatures.models import AuditEntry, SignatureExport
from signatures.tasks import sweep_exports
from tests.factories import make_campaign, make_signature, make_staff_user
from tests.realstack import celery_worker, wait_for
from tests.staff import log_in_staff

from .support import EXPORT_PERMISSION, csv_rows, export_page, form_data

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def worker(transactional_db):
    with celery_worker():
        yield


def wait_for_status(export_id: int, status: str) -> SignatureExport:
    return wait_for(lambda: SignatureExport.objects.filter(pk=export_id, status=status).first())


def test_it_builds_the_file_in_a_worker_with_progress_and_deletes_it_when_it_expires(
    client, settings, monkeypatch, worker
):
    settings.EXPORT_STREAM_MAX_ROWS = 2
    monkeypatch.setattr(stream, "CHUNK_ROWS", 2)
    monkeypatch.setattr(records, "PROGRESS_SECONDS", 0)
    progress = []
    record_progress = records.record_progress
    monkeypatch.setattr(
        records, "record_progress", lambda export_id, rows: (progress.append(rows), record_progress(export_id, rows))
    )
    campaign = make_campaign()
    for n in range(5):
        make_signature(campaign, last_name=f"Signer{n}", status="confirmed")
    exporter = make_staff_user(EXPORT_PERMISSION)
    log_in_staff(client, exporter)

    response = client.post(export_page(campaign), form_data())
    export = SignatureExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:signatures_signatureexport_progress", args=[export.pk])
    assert (export.channel, export.rows_expected) == ("file", 5)

    export = wait_for_status(export.pk, "done")
    assert progress == [0, 2, 4, 5], "the worker reports progress after every chunk"
    assert export.row_count == 5
    assert export.expires_at == export.finished_at + timedelta(hours=django_settings.EXPORT_FILE_TTL_HOURS)
    path = files.export_path(export.file_name)
    assert path.parent == settings.EXPORT_ROOT and path.exists()
    assert list(settings.EXPORT_ROOT.glob("*.partial")) == []

    page = client.get(reverse("admin:signatures_signatureexport_progress", args=[export.pk]))
    assert b"5 of 5 rows" in page.content and b'value="100"' in page.content
    assert b'http-equiv="refresh"' not in page.content
    download_url = reverse("admin:signatures_signatureexport_download", args=[export.pk])
    assert download_url.encode() in page.content
    download = client.get(download_url)
    assert download.status_code == 200
    data = b"".join(download.streaming_content)
    assert [row["last_name"] for row in csv_rows(data)] == [f"Signer{n}" for n in range(5)]
    assert hashlib.sha256(data).hexdigest() == export.checksum
    assert AuditEntry.objects.filter(action="export_downloaded", actor=exporter).count() == 1

    colleague = make_staff_user(EXPORT_PERMISSION)
    log_in_staff(client, colleague)
    assert client.get(download_url).status_code == 403
    assert download_url.encode() not in client.get(reverse(
        "admin:signatures_signatureexport_progress", args=[export.pk])).content

    SignatureExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    sweep_exports.delay()
    export = wait_for_status(export.pk, "expired")
    assert not path.exists()
    assert export.file_name == "" and export.file_deleted_at and export.checksum
    log_in_staff(client, exporter)
    gone = client.get(download_url)
    assert gone.status_code == 302
    page = client.get(gone["Location"])
    assert b"not available" in page.content and b"The file has been deleted" in page.content

