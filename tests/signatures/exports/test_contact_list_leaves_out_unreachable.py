"""A signer who stopped every email about the petition, or whose address bounced or complained, is on no contact list, though their consents stand."""

import pytest

from signatures import services
from signatures.exports.spec import ExportSpec
from signatures.models import Suppression
from signatures.suppression import suppress
from tests.factories import make_campaign, make_consent, make_organisation, make_signature

from .support import csv_rows, export_bytes

pytestmark = pytest.mark.django_db


def test_a_signer_who_stopped_all_emails_is_left_out_of_the_contact_list_but_not_the_verified_list():
    campaign = make_campaign()
    organisation = make_organisation()
    stays = make_signature(campaign, last_name="Stays", status="confirmed")
    stopped = make_signature(campaign, last_name="Stopped", status="confirmed")
    make_consent(stays, organisation)
    make_consent(stopped, organisation)

    assert services.stop_emails(stopped.pk)

    contacts = csv_rows(
        export_bytes(ExportSpec(campaign_id=campaign.pk, purpose="contact", consented_to_id=organisation.pk))
    )
    assert [row["last_name"] for row in contacts] == ["Stays"]
    verified = csv_rows(export_bytes(ExportSpec(campaign_id=campaign.pk, purpose="verified")))
    assert sorted(row["last_name"] for row in verified) == ["Stays", "Stopped"]


@pytest.mark.parametrize("reason", [Suppression.Reason.BOUNCE, Suppression.Reason.COMPLAINT])
def test_a_suppressed_address_is_left_out_of_the_contact_list_but_not_the_verified_list(reason):
    campaign = make_campaign()
    organisation = make_organisation()
    stays = make_signature(campaign, last_name="Stays", status="confirmed")
    bounced = make_signature(campaign, last_name="Suppressed", status="confirmed")
    make_consent(stays, organisation)
    make_consent(bounced, organisation)

    assert suppress(bounced.email_canonical, reason)

    contacts = csv_rows(
        export_bytes(ExportSpec(campaign_id=campaign.pk, purpose="contact", consented_to_id=organisation.pk))
    )
    assert [row["last_name"] for row in contacts] == ["Stays"]
    verified = csv_rows(export_bytes(ExportSpec(campaign_id=campaign.pk, purpose="verified")))
    assert sorted(row["last_name"] for row in verified) == ["Stays", "Suppressed"]
