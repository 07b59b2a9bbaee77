"""Importing a partner's file in the admin: upload, map, preview with errors, dry run, import, progress."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from signatures.intake import jobs
from signatures.models import ImportJob, Signature
from tests.factories import make_campaign, make_organisation, make_staff_user
from tests.staff import log_in_staff

pytestmark = pytest.mark.django_db

FILE = (
    "Vorname;Nachname;E-Mail;Land;PLZ\n"
    "Karl;Müller;karl@example.org;DE;10115\n"
    "Eva;Liste;eva@example.org;DE;10117\n"
    "Bad;Row;not-an-address;DE;10115\n"
    "Eva;Liste;EVA@example.org;DE;10117\n"
).encode("latin-1")


@pytest.fixture
def importer(client, settings, tmp_path):
    settings.IMPORT_ROOT = tmp_path / "imports"
    log_in_staff(client, make_staff_user("signatures.add_importjob", "signatures.view_importjob"))
    return client


def upload(client, campaign, **fields):
    return client.post(
        "/admin/signatures/importjob/new/",
        {"campaign": campaign.pk, "file": SimpleUploadedFile("partner.csv", FILE, "text/csv"), **fields},
    )


def test_the_whole_path_from_upload_to_imported(importer, django_capture_on_commit_callbacks):
    campaign = make_campaign()
    partner = make_organisation()

    response = upload(importer, campaign, partner=partner.pk)
    job = ImportJob.objects.get()
    assert response["Location"].endswith(f"/importjob/{job.pk}/mapping/")
    # Headings the guesser does not know are mapped by hand; the preview shows each row's problem.
    mapping = {"first_name": "Vorname", "last_name": "Nachname", "email": "E-Mail", "country": "Land",
               "postcode": "PLZ"}
    page = importer.post(f"/admin/signatures/importjob/{job.pk}/mapping/", {**mapping, "action": "preview"})
    assert "Please enter a complete email address" in page.content.decode()
    refused = importer.post(f"/admin/signatures/importjob/{job.pk}/mapping/", {**mapping, "action": "import"})
    assert refused.status_code == 200 and not Signature.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        importer.post(f"/admin/signatures/importjob/{job.pk}/mapping/", {**mapping, "action": "dry_run"})
    job.refresh_from_db()
    assert (job.status, job.dry_run, job.report["new"], job.report["invalid"]) == ("done", True, 2, 1)
    assert job.report["duplicate_in_file"] == 1
    assert not Signature.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        importer.post(f"/admin/signatures/importjob/{job.pk}/mapping/", {**mapping, "action": "import"})
    job.refresh_from_db()
    assert job.imported_at is not None and job.report["imported"] == 2
    assert set(Signature.objects.values_list("email", flat=True)) == {"karl@example.org", "eva@example.org"}
    assert all(s.import_job_id == job.pk and s.partner == partner for s in Signature.objects.all())
    progress = importer.get(f"/admin/signatures/importjob/{job.pk}/progress/").content.decode()
    assert "Imported: 2" in progress
    assert "latin-1" in progress


def test_verified_by_partner_needs_a_partner(importer):
    response = upload(importer, make_campaign(), verified_by_partner="on")

    assert response.status_code == 200
    assert not ImportJob.objects.exists()


def test_it_is_refused_without_the_permission(client):
    log_in_staff(client, make_staff_user("signatures.view_signature"))

    assert client.get("/admin/signatures/importjob/new/").status_code == 403


def test_the_sweep_runs_stalled_jobs_again_and_deletes_abandoned_files(importer, settings):
    campaign = make_campaign()
    upload(importer, campaign)
    upload(importer, campaign)
    stalled, abandoned = ImportJob.objects.order_by("pk")
    long_ago = timezone.now() - timedelta(days=2)
    ImportJob.objects.filter(pk=stalled.pk).update(status="running", started_at=long_ago, created_at=long_ago)
    ImportJob.objects.filter(pk=abandoned.pk).update(created_at=long_ago)

    jobs.delete_abandoned_files()
    assert jobs.requeue_stalled() == [stalled.pk]

    assert not jobs.import_path(ImportJob.objects.get(pk=abandoned.pk)).exists()
    assert jobs.import_path(ImportJob.objects.get(pk=stalled.pk)).exists()
    assert ImportJob.objects.get(pk=stalled.pk).status == "queued"
