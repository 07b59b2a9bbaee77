"""Every export is recorded: who, when, campaign, filters, purpose, rows and a checksum of the file."""

import hashlib

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from signatures.exports.records import recorded_stream, start_export
from signatures.exports.spec import ExportSpec
from signatures.models import AuditEntry, SignatureExport
from tests.factories import make_campaign, make_organisation, make_signature, make_staff_user
from tests.staff import log_in_staff

from .support import EXPORT_PERMISSION, export_from_command, export_page, form_data, streamed

pytestmark = pytest.mark.django_db


def test_it_records_a_streamed_export_with_the_checksum_of_the_bytes_sent(client):
    campaign = make_campaign()
    partner = make_organisation()
    make_signature(campaign, country="DE", partner=partner, status="confirmed")
    make_signature(campaign, country="DE", partner=partner, status="confirmed")
    make_signature(campaign, country="FR", partner=partner, status="confirmed")
    exporter = make_staff_user(EXPORT_PERMISSION, username="erika")
    log_in_staff(client, exporter)

    data = streamed(client.post(export_page(campaign), form_data(country=["DE"], partner=partner.slug, bom="on")))

    export = SignatureExport.objects.get()
    assert export.campaign == campaign
    assert (export.requested_by, export.requested_by_name) == (exporter, "erika")
    assert (export.purpose, export.channel, export.status) == ("verified", "download", "done")
    assert export.filters == {
        "status": ["confirmed"], "country": ["DE"], "partner_id": partner.pk, "confirmed_from": None,
        "confirmed_to": None, "consented_to_id": None,
    }
    assert export.include_bom
    assert (export.rows_expected, export.row_count) == (2, 2)
    assert export.size_bytes == len(data)
    assert export.checksum == hashlib.sha256(data).hexdigest()
    assert export.created_at and export.finished_at
    entry = AuditEntry.objects.get(action="signatures_exported")
    assert (entry.actor, entry.campaign) == (exporter, campaign)
    assert entry.detail["export_id"] == export.pk
    assert entry.detail["rows"] == 2 and entry.detail["sha256"] == export.checksum


def test_it_records_a_command_line_export_with_its_checksum(tmp_path):
    campaign = make_campaign()
    make_signature(campaign, status="confirmed")
    data = export_from_command(tmp_path, campaign, "--country", "de")
    export = SignatureExport.objects.get()
    assert (export.channel, export.status, export.row_count) == ("command", "done", 1)
    assert export.requested_by is None and export.requested_by_name.startswith("command line (")
    assert export.filters["country"] == ["DE"]
    assert export.checksum == hashlib.sha256(data).hexdigest()
    assert AuditEntry.objects.filter(action="signatures_exported", detail__export_id=export.pk).exists()


def test_it_records_a_download_that_stopped_halfway_as_failed():
    campaign = make_campaign()
    make_signature(campaign, status="confirmed")
    spec = ExportSpec(campaign_id=campaign.pk)
    export = start_export(spec, user=make_staff_user(EXPORT_PERMISSION), channel="download", rows_expected=1)
    body = recorded_stream(export, spec)
    next(body)  # the header only, then the browser goes away and the server closes the response
    body.close()
    export.refresh_from_db()
    assert export.status == "failed"
    assert export.checksum == ""
    assert not AuditEntry.objects.filter(action="signatures_exported").exists()


def test_it_keeps_the_name_of_who_exported_after_the_account_is_deleted(client):
    campaign = make_campaign()
    make_signature(campaign, status="confirmed")
    exporter = make_staff_user(EXPORT_PERMISSION, username="leaver")
    log_in_staff(client, exporter)
    streamed(client.post(export_page(campaign), form_data()))
    client.logout()
    get_user_model().objects.filter(pk=exporter.pk).delete()
    export = SignatureExport.objects.get()
    assert export.requested_by is None and export.requested_by_name == "leaver"


@pytest.fixture
def export_record():
    campaign = make_campaign()
    exporter = make_staff_user(EXPORT_PERMISSION)
    return SignatureExport.objects.create(
        campaign=campaign, requested_by=exporter, requested_by_name=exporter.username, purpose="verified",
        channel="download",
    )


@pytest.mark.parametrize("superuser", [False, True], ids=["exporter", "superuser"])
def test_it_shows_export_records_read_only_and_never_deletes_them(client, export_record, superuser):
    user = make_staff_user(EXPORT_PERMISSION, is_superuser=superuser)
    log_in_staff(client, user)
    change_url = reverse("admin:signatures_signatureexport_change", args=[export_record.pk])
    delete_url = reverse("admin:signatures_signatureexport_delete", args=[export_record.pk])
    changelist_url = reverse("admin:signatures_signatureexport_changelist")

    assert client.get(changelist_url).status_code == 200
    view = client.get(change_url)
    assert view.status_code == 200 and b'name="_save"' not in view.content
    assert client.post(change_url, {"row_count": 999}).status_code == 403
    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    bulk = client.post(
        changelist_url, {"action": "delete_selected", "_selected_action": [export_record.pk], "post": "yes"}
    )
    assert bulk.status_code in (200, 302)
    assert client.get(reverse("admin:signatures_signatureexport_add")).status_code == 403
    export_record.refresh_from_db()
    assert export_record.row_count == 0
    assert SignatureExport.objects.filter(pk=export_record.pk).exists()
