"""The beat task deletes expired files, fails exports whose worker died and restarts lost ones."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from petition.celery import app as celery_app
from signatures.exports import files, stream
from signatures.models import SignatureExport
from signatures.tasks import build_export_file, sweep_exports
from tests.factories import make_campaign, make_signature, make_staff_user

from .support import EXPORT_PERMISSION

pytestmark = pytest.mark.django_db


def make_export(campaign, **fields) -> SignatureExport:
    user = make_staff_user(EXPORT_PERMISSION)
    defaults = {
        "requested_by": user, "requested_by_name": user.username, "purpose": "verified", "channel": "file",
        "filters": {"status": ["confirmed"]},
    }
    return SignatureExport.objects.create(campaign=campaign, **{**defaults, **fields})


def place_file(root, name: str) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / name).write_bytes(b"first_name\n")


def test_it_deletes_files_past_their_time_and_keeps_the_record(settings):
    campaign = make_campaign()
    now = timezone.now()
    place_file(settings.EXPORT_ROOT, "export-old.csv")
    place_file(settings.EXPORT_ROOT, "export-fresh.csv")
    old = make_export(campaign, status="done", file_name="export-old.csv", checksum="a" * 64, finished_at=now,
                      expires_at=now - timedelta(minutes=1))
    fresh = make_export(campaign, status="done", file_name="export-fresh.csv", checksum="b" * 64, finished_at=now,
                        expires_at=now + timedelta(hours=1))
    streamed = make_export(campaign, channel="download", status="done", checksum="c" * 64, finished_at=now)

    assert sweep_exports.delay().get() == 1

    old.refresh_from_db()
    assert (old.status, old.file_name, old.checksum) == ("expired", "", "a" * 64)
    assert old.file_deleted_at is not None
    assert not (settings.EXPORT_ROOT / "export-old.csv").exists()
    assert (settings.EXPORT_ROOT / "export-fresh.csv").exists()
    fresh.refresh_from_db()
    streamed.refresh_from_db()
    assert (fresh.status, streamed.status) == ("done", "done")


def test_it_fails_exports_whose_worker_stopped_and_removes_their_partial_files(settings):
    campaign = make_campaign()
    now = timezone.now()
    stalled = make_export(campaign, status="running", progress_at=now - timedelta(hours=1))
    working = make_export(campaign, status="running", progress_at=now)
    place_file(settings.EXPORT_ROOT, f"export-{stalled.pk}-abc.csv.partial")
    place_file(settings.EXPORT_ROOT, f"export-{working.pk}-def.csv.partial")

    sweep_exports.delay()

    stalled.refresh_from_db()
    working.refresh_from_db()
    assert (stalled.status, stalled.error) == ("failed", "stopped without finishing")
    assert working.status == "running"
    assert not (settings.EXPORT_ROOT / f"export-{stalled.pk}-abc.csv.partial").exists()
    assert (settings.EXPORT_ROOT / f"export-{working.pk}-def.csv.partial").exists()


def test_it_enqueues_again_an_export_whose_task_was_lost(settings):
    campaign = make_campaign()
    make_signature(campaign, status="confirmed")
    lost = make_export(campaign, rows_expected=1)
    SignatureExport.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    just_queued = make_export(campaign, rows_expected=1)

    sweep_exports.delay()

    lost.refresh_from_db()
    just_queued.refresh_from_db()
    assert (lost.status, lost.row_count) == ("done", 1)
    assert files.export_path(lost.file_name).exists()
    assert just_queued.status == "queued", "a fresh export is left to the task enqueued with it"


def test_it_builds_a_file_once_however_often_the_task_is_delivered():
    campaign = make_campaign()
    make_signature(campaign, status="confirmed")
    export = make_export(campaign)
    assert build_export_file.delay(export.pk).get() is True
    assert build_export_file.delay(export.pk).get() is False
    assert len(list(django_settings.EXPORT_ROOT.iterdir())) == 1


def test_it_marks_a_failed_build_and_leaves_no_partial_file(monkeypatch, settings):
    campaign = make_campaign()
    make_signature(campaign, status="confirmed")
    export = make_export(campaign)

    def broken_chunk(spec, after_id):
        raise OSError("disk full")

    monkeypatch.setattr(stream, "copy_chunk", broken_chunk)
    assert files.build_file(export.pk) is False
    export.refresh_from_db()
    assert (export.status, export.error) == ("failed", "could not write the file (OSError)")
    assert list(settings.EXPORT_ROOT.iterdir()) == []


def test_it_runs_the_sweep_on_the_beat_schedule():
    entry = django_settings.CELERY_BEAT_SCHEDULE["sweep-exports"]
    assert entry["task"] == sweep_exports.name
    assert entry["task"] in celery_app.tasks


@pytest.mark.parametrize("inside", ["media/exports", "static/exports", "."])
def test_it_refuses_to_start_with_export_files_in_a_public_directory(inside):
    environment = {**os.environ, "EXPORT_ROOT": str(django_settings.BASE_DIR / inside)}
    finished = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=django_settings.BASE_DIR, env=environment, capture_output=True, text=True, timeout=60,
    )
    assert finished.returncode != 0
    assert "EXPORT_ROOT" in finished.stderr and "must be a private directory" in finished.stderr
