import pytest
from django.urls import reverse

from signatures.models import SignatureExport
from tests.factories import make_campaign, make_signature, make_staff_user
from tests.staff import log_in_staff

from .support import EXPORT_PERMISSION, export_page, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    campaign = make_campaign()
    make_signature(campaign, status="confirmed")
    return campaign


def test_it_refuses_the_export_page_to_a_moderator_without_the_export_permission(client, campaign):
    log_in_staff(client, make_staff_user("signatures.moderate_signatures", "signatures.view_signature"))
    assert client.get(reverse("admin:signatures_signatureexport_choose")).status_code == 403
    assert client.get(export_page(campaign)).status_code == 403
    assert client.get(export_page(campaign), form_data()).status_code == 403


def test_it_refuses_to_start_an_export_for_a_moderator_and_records_nothing(client, campaign):
    log_in_staff(client, make_staff_user("signatures.moderate_signatures"))
    response = client.post(export_page(campaign), form_data())
    assert response.status_code == 403
    assert not SignatureExport.objects.exists()


def test_it_sends_anonymous_visitors_to_the_login_page(client, campaign):
    response = client.post(export_page(campaign), form_data())
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert not SignatureExport.objects.exists()


def test_it_lets_a_data_exporter_in(client, campaign):
    log_in_staff(client, make_staff_user(EXPORT_PERMISSION))
    assert client.get(reverse("admin:signatures_signatureexport_choose")).status_code == 200
    assert client.get(export_page(campaign)).status_code == 200


def test_it_refuses_progress_and_download_pages_to_a_moderator(client, campaign):
    exporter = make_staff_user(EXPORT_PERMISSION)
    export = SignatureExport.objects.create(
        campaign=campaign, requested_by=exporter, requested_by_name=exporter.username, purpose="verified",
        channel="file",
    )
    log_in_staff(client, make_staff_user("signatures.moderate_signatures"))
    assert client.get(reverse("admin:signatures_signatureexport_progress", args=[export.pk])).status_code == 403
    assert client.get(reverse("admin:signatures_signatureexport_download", args=[export.pk])).status_code == 403
