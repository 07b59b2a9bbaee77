"""The admin export page: filters, the row count before starting, and the choice of stream or background."""

import pytest
from django.urls import reverse

from signatures.models import SignatureExport
from tests.factories import make_campaign, make_signature, make_staff_user
from tests.staff import log_in_staff

from .support import EXPORT_PERMISSION, export_page, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def exporter_client(client):
    log_in_staff(client, make_staff_user(EXPORT_PERMISSION))
    return client


def test_it_lists_campaigns_to_choose_from(exporter_client):
    campaign = make_campaign(title="Ban biometric mass surveillance")
    response = exporter_client.get(reverse("admin:signatures_signatureexport_choose"))
    assert response.status_code == 200
    assert export_page(campaign).encode() in response.content
    assert b"Ban biometric mass surveillance" in response.content


def test_it_shows_the_filters_before_counting(exporter_client):
    response = exporter_client.get(export_page(make_campaign()))
    assert response.status_code == 200
    assert b'name="consented_to"' in response.content and b'name="confirmed_from"' in response.content
    assert b"will be exported" not in response.content


def test_it_shows_how_many_rows_will_come_out_before_starting(exporter_client):
    campaign = make_campaign()
    for country in ["DE", "DE", "FR"]:
        make_signature(campaign, country=country, status="confirmed")
    make_signature(campaign, country="DE", status="pending")
    response = exporter_client.get(export_page(campaign), form_data(country=["DE"]))
    assert response.context["rows"] == 2
    assert b"2 rows will be exported." in response.content
    assert b"Download CSV" in response.content
    assert b'<input type="hidden" name="country" value="DE">' in response.content
    assert not SignatureExport.objects.exists()


def test_it_offers_a_background_file_above_the_streaming_threshold(exporter_client, settings):
    settings.EXPORT_STREAM_MAX_ROWS = 1
    campaign = make_campaign()
    make_signature(campaign, status="confirmed")
    make_signature(campaign, status="confirmed")
    response = exporter_client.get(export_page(campaign), form_data())
    assert b"2 rows will be exported." in response.content
    assert b"Prepare the file" in response.content and b"Download CSV" not in response.content


def test_it_streams_up_to_the_threshold_and_queues_a_file_above_it(
    exporter_client, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_STREAM_MAX_ROWS = 2
    campaign = make_campaign(slug="stop-scanning-us")
    make_signature(campaign, status="confirmed")
    make_signature(campaign, status="confirmed")
    response = exporter_client.post(export_page(campaign), form_data())
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith('attachment; filename="stop-scanning-us-verified-')
    b"".join(response.streaming_content)

    make_signature(campaign, status="confirmed")
    with django_capture_on_commit_callbacks() as callbacks:
        response = exporter_client.post(export_page(campaign), form_data())
    export = SignatureExport.objects.latest("pk")
    assert (export.channel, export.status, export.rows_expected) == ("file", "queued", 3)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:signatures_signatureexport_progress", args=[export.pk])
    assert len(callbacks) == 1, "the background task is enqueued after commit"


def test_it_shows_filter_errors_and_no_count(exporter_client):
    response = exporter_client.get(export_page(make_campaign()), form_data(purpose="contact"))
    assert response.status_code == 200
    assert response.context["rows"] is None
    assert b"choose who the signers consented to" in response.content


def test_it_redisplays_the_form_when_a_posted_export_is_invalid(exporter_client):
    response = exporter_client.post(export_page(make_campaign()), form_data(status=[]))
    assert response.status_code == 200
    assert b"Choose confirmed signatures, pending ones, or both." in response.content
    assert not SignatureExport.objects.exists()


def test_it_answers_404_for_an_unknown_campaign(exporter_client):
    assert exporter_client.get(reverse("admin:signatures_signatureexport_new", args=["nope"])).status_code == 404


def test_it_shows_progress_of_a_running_export_and_refreshes(exporter_client):
    campaign = make_campaign()
    export = SignatureExport.objects.create(
        campaign=campaign, requested_by_name="someone", purpose="verified", channel="file", status="running",
        rows_expected=200_000, row_count=50_000,
    )
    response = exporter_client.get(reverse("admin:signatures_signatureexport_progress", args=[export.pk]))
    assert response.status_code == 200
    assert b"50000 of 200000 rows" in response.content
    assert b'<progress max="100" value="25">' in response.content
    assert b'http-equiv="refresh"' in response.content


def test_the_filters_sit_in_the_admins_aligned_rows(exporter_client):
    """The purpose and status choices were out of line with the other fields."""
    page = exporter_client.get(export_page(make_campaign())).text
    assert "admin/css/forms.css" in page
    for name in ("purpose", "status", "country", "confirmed_from", "bom"):
        assert f'class="form-row field-{name}"' in page
    assert '<div id="id_purpose" class="radiolist">' in page
    assert '<div id="id_status" class="radiolist">' in page
