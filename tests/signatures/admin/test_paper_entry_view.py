"""The paper-sheet screen: who may use it, what a row must be, and the counts it feeds."""

import pytest

from signatures.fold import fold_counts
from signatures.models import Signature
from tests.factories import make_campaign, make_staff_user
from tests.staff import log_in_staff

pytestmark = pytest.mark.django_db
URL = "/admin/signatures/signature/paper/"


def row(campaign, **fields):
    data = {"campaign": campaign.pk, "sheet_reference": "Sheet 7", "first_name": "Karl", "last_name": "Papier",
            "email": "", "country": "DE", "postcode": "10115"}
    data.update(fields)
    return data


def test_it_is_refused_without_the_permission_to_add_signatures(client):
    log_in_staff(client, make_staff_user("signatures.view_signature"))

    assert client.get(URL).status_code == 403


def test_a_bad_row_is_shown_with_the_sign_forms_message_and_not_saved(client):
    campaign = make_campaign()
    log_in_staff(client, make_staff_user("signatures.add_signature"))

    response = client.post(URL, row(campaign, first_name="Karl\u202e", postcode="1"))

    assert response.status_code == 200
    assert "no symbols, emoji or hidden characters" in response.content.decode()
    assert not Signature.objects.exists()


def test_paper_rows_count_at_once_and_apart_from_online_ones(client, django_capture_on_commit_callbacks):
    campaign = make_campaign()
    log_in_staff(client, make_staff_user("signatures.add_signature"))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, row(campaign))
    fold_counts(campaign.pk)

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.signature_count, campaign.paper_count) == (1, 1)
    api = client.get(f"/api/campaigns/{campaign.slug}/").json()
    assert (api["signature_count"], api["paper_count"], api["online_count"]) == (1, 1, 0)
