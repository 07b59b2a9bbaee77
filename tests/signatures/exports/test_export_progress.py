"""Exports report progress, but not on every chunk of a fast export."""

import pytest

from signatures.exports import records
from signatures.models import SignatureExport
from tests.factories import make_campaign

pytestmark = pytest.mark.django_db


def running_export() -> SignatureExport:
    return SignatureExport.objects.create(
        campaign=make_campaign(), requested_by_name="someone", purpose="verified", channel="file", status="running",
        rows_expected=100,
    )


def test_it_writes_progress_at_most_once_per_interval(monkeypatch):
    export = running_export()
    monkeypatch.setattr(records, "PROGRESS_SECONDS", 3600)
    progress = records.ProgressRecorder(export.pk)
    progress.rows_written(10)
    progress.rows_written(20)
    export.refresh_from_db()
    assert export.row_count == 10


def test_it_writes_every_report_once_the_interval_has_passed(monkeypatch):
    export = running_export()
    monkeypatch.setattr(records, "PROGRESS_SECONDS", 0)
    progress = records.ProgressRecorder(export.pk)
    progress.rows_written(10)
    progress.rows_written(20)
    export.refresh_from_db()
    assert export.row_count == 20 and export.progress_percent() == 20
