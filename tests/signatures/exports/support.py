"""Helpers shared by the export tests: reading CSV, posting the export form."""

import csv
import io

from django.urls import reverse

from signatures.exports.spec import ExportSpec
from signatures.exports.stream import ExportStream

EXPORT_PERMISSION = "signatures.export_signatures"


def csv_rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def export_bytes(spec: ExportSpec) -> bytes:
    return b"".join(ExportStream(spec))


def export_page(campaign) -> str:
    return reverse("admin:signatures_signatureexport_new", args=[campaign.slug])


def form_data(**fields) -> dict:
    """The export form's fields, confirmed verified list by default."""
    data = {"purpose": "verified", "status": ["confirmed"]}
    data.update(fields)
    return {name: value for name, value in data.items() if value is not None}


def streamed(response) -> bytes:
    assert response.status_code == 200, response.status_code
    assert response.streaming, "expected the file to stream"
    return b"".join(response.streaming_content)


def export_in_background(client, campaign, django_capture_on_commit_callbacks, **fields) -> bytes:
    """Start an export too big to stream (the threshold must be below its rows) and download the file."""
    from signatures.models import SignatureExport

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(export_page(campaign), form_data(**fields))
    assert response.status_code == 302, response.status_code
    export = SignatureExport.objects.latest("pk")
    assert export.channel == "file" and export.status == "done", (export.channel, export.status, export.error)
    download = client.get(reverse("admin:signatures_signatureexport_download", args=[export.pk]))
    assert download.status_code == 200
    return b"".join(download.streaming_content)


def export_from_command(tmp_path, campaign, *options: str) -> bytes:
    from django.core.management import call_command

    output = tmp_path / "command-export.csv"
    call_command("export_signatures", campaign.slug, "--output", str(output), *options)
    return output.read_bytes()
