"""A contact list holds only signers with an active consent to that one organisation."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from signatures.exports.spec import ExportSpec, InvalidExport
from signatures.models import Consent
from tests.factories import make_campaign, make_consent, make_organisation, make_signature

from .support import csv_rows, export_bytes

pytestmark = pytest.mark.django_db


def contact_list(campaign, organisation) -> list[dict]:
    return csv_rows(export_bytes(ExportSpec(campaign_id=campaign.pk, purpose="contact", consented_to_id=organisation.pk)))


def test_it_lists_signers_with_an_active_consent_with_their_email_language_and_consent_time():
    campaign = make_campaign()
    organisation = make_organisation()
    signature = make_signature(
        campaign, first_name="Jan", last_name="Kowalski", email="Jan.K@example.org", country="PL", language="pl",
        status="confirmed",
    )
    consent = make_consent(signature, organisation)
    Consent.objects.filter(pk=consent.pk).update(given_at=datetime(2025, 5, 4, 8, 0, 1, tzinfo=UTC))
    data = export_bytes(ExportSpec(campaign_id=campaign.pk, purpose="contact", consented_to_id=organisation.pk))
    assert data.splitlines()[0] == b"first_name,last_name,email,country,language,consent_given_at_utc"
    assert csv_rows(data) == [
        {
            "first_name": "Jan", "last_name": "Kowalski", "email": "Jan.K@example.org", "country": "PL",
            "language": "pl", "consent_given_at_utc": "2025-05-04 08:00:01",
        }
    ]


def test_it_leaves_out_withdrawn_consents_and_consents_to_other_organisations():
    campaign = make_campaign()
    organisation, other = make_organisation(), make_organisation()
    make_consent(make_signature(campaign, last_name="Active", status="confirmed"), organisation)
    make_consent(
        make_signature(campaign, last_name="Withdrew", status="confirmed"), organisation, withdrawn_at=timezone.now()
    )
    make_consent(make_signature(campaign, last_name="OtherOrganisation", status="confirmed"), other)
    make_signature(campaign, last_name="NoConsent", status="confirmed")
    assert [row["last_name"] for row in contact_list(campaign, organisation)] == ["Active"]


def test_it_lists_a_signer_who_consented_to_several_organisations_once_with_this_consent_time():
    campaign = make_campaign()
    organisation, other = make_organisation(), make_organisation()
    signature = make_signature(campaign, last_name="Both", status="confirmed")
    mine = make_consent(signature, organisation)
    theirs = make_consent(signature, other)
    Consent.objects.filter(pk=mine.pk).update(given_at=datetime(2025, 1, 1, tzinfo=UTC))
    Consent.objects.filter(pk=theirs.pk).update(given_at=datetime(2025, 2, 2, tzinfo=UTC))
    rows = contact_list(campaign, organisation)
    assert [(row["last_name"], row["consent_given_at_utc"]) for row in rows] == [("Both", "2025-01-01 00:00:00")]


def test_it_never_lists_pending_withdrawn_rejected_or_erased_signers_even_with_an_active_consent():
    campaign = make_campaign()
    organisation = make_organisation()
    now = timezone.now()
    make_consent(make_signature(campaign, last_name="Confirmed", status="confirmed"), organisation)
    for last_name, fields in [
        ("Pending", {"status": "pending"}),
        ("Withdrawn", {"status": "withdrawn", "withdrawn_at": now}),
        ("Rejected", {"status": "rejected", "rejected_at": now}),
        ("Erased", {"status": "confirmed", "erased_at": now}),
    ]:
        make_consent(make_signature(campaign, last_name=last_name, **fields), organisation)
    assert [row["last_name"] for row in contact_list(campaign, organisation)] == ["Confirmed"]


def test_it_refuses_a_contact_list_without_an_organisation_or_with_pending_signers():
    with pytest.raises(InvalidExport):
        ExportSpec(campaign_id=1, purpose="contact")
    with pytest.raises(InvalidExport):
        ExportSpec(campaign_id=1, purpose="contact", consented_to_id=1, statuses=("confirmed", "pending"))
