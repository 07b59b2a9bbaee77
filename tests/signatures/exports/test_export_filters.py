"""Each filter of the shared export code path, and the signatures no export may ever hold."""

from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from signatures.exports.spec import ExportSpec, InvalidExport, count_rows
from tests.factories import make_campaign, make_consent, make_organisation, make_signature

from .support import csv_rows, export_bytes

pytestmark = pytest.mark.django_db


def last_names(spec: ExportSpec) -> list[str]:
    rows = [row["last_name"] for row in csv_rows(export_bytes(spec))]
    assert len(rows) == count_rows(spec), "the count shown before exporting must match the file"
    return rows


def test_it_exports_confirmed_signatures_only_by_default():
    campaign = make_campaign()
    make_signature(campaign, last_name="Confirmed", status="confirmed")
    make_signature(campaign, last_name="Pending", status="pending")
    make_signature(campaign, last_name="Rejected", status="rejected", rejected_at=timezone.now())
    make_signature(campaign, last_name="Withdrawn", status="withdrawn", withdrawn_at=timezone.now())
    make_signature(campaign, last_name="Erased", status="confirmed", erased_at=timezone.now())
    make_signature(make_campaign(), last_name="Elsewhere", status="confirmed")
    assert last_names(ExportSpec(campaign_id=campaign.pk)) == ["Confirmed"]


def test_it_adds_pending_signatures_only_when_asked_and_never_rejected_withdrawn_or_erased():
    campaign = make_campaign()
    make_signature(campaign, last_name="Confirmed", status="confirmed")
    make_signature(campaign, last_name="Pending", status="pending")
    make_signature(campaign, last_name="ErasedPending", status="pending", erased_at=timezone.now())
    make_signature(campaign, last_name="Rejected", status="rejected", rejected_at=timezone.now())
    make_signature(campaign, last_name="Withdrawn", status="withdrawn", withdrawn_at=timezone.now())
    both = ExportSpec(campaign_id=campaign.pk, statuses=("confirmed", "pending"))
    assert last_names(both) == ["Confirmed", "Pending"]
    assert last_names(ExportSpec(campaign_id=campaign.pk, statuses=("pending",))) == ["Pending"]


@pytest.mark.parametrize("statuses", [("withdrawn",), ("rejected",), ("confirmed", "rejected"), ()])
def test_it_refuses_statuses_that_may_never_leave(statuses):
    with pytest.raises(InvalidExport):
        ExportSpec(campaign_id=1, statuses=statuses)


def test_it_filters_by_country():
    campaign = make_campaign()
    make_signature(campaign, last_name="German", country="DE", status="confirmed")
    make_signature(campaign, last_name="French", country="FR", status="confirmed")
    make_signature(campaign, last_name="Italian", country="IT", status="confirmed")
    assert last_names(ExportSpec(campaign_id=campaign.pk, countries=("FR",))) == ["French"]
    assert last_names(ExportSpec(campaign_id=campaign.pk, countries=("DE", "IT"))) == ["German", "Italian"]


def test_it_filters_by_referring_partner_and_names_the_partner():
    campaign = make_campaign()
    partner = make_organisation(name="Digital Rights Now")
    make_signature(campaign, last_name="Referred", partner=partner, status="confirmed")
    make_signature(campaign, last_name="Direct", status="confirmed")
    make_signature(campaign, last_name="OtherPartner", partner=make_organisation(), status="confirmed")
    rows = csv_rows(export_bytes(ExportSpec(campaign_id=campaign.pk, partner_id=partner.pk)))
    assert [(row["last_name"], row["partner"]) for row in rows] == [("Referred", "Digital Rights Now")]


def test_it_filters_by_confirmation_date_range_with_both_ends_included():
    campaign = make_campaign()
    for last_name, confirmed_at in [
        ("BeforeRange", datetime(2025, 2, 28, 23, 59, 59, tzinfo=UTC)),
        ("FirstDay", datetime(2025, 3, 1, 0, 0, 0, tzinfo=UTC)),
        ("LastDay", datetime(2025, 3, 31, 23, 59, 59, tzinfo=UTC)),
        ("AfterRange", datetime(2025, 4, 1, 0, 0, 0, tzinfo=UTC)),
    ]:
        make_signature(campaign, last_name=last_name, status="confirmed", confirmed_at=confirmed_at)
    march = ExportSpec(campaign_id=campaign.pk, confirmed_from=date(2025, 3, 1), confirmed_to=date(2025, 3, 31))
    assert last_names(march) == ["FirstDay", "LastDay"]
    assert last_names(ExportSpec(campaign_id=campaign.pk, confirmed_from=date(2025, 4, 1))) == ["AfterRange"]
    assert last_names(ExportSpec(campaign_id=campaign.pk, confirmed_to=date(2025, 2, 28))) == ["BeforeRange"]


def test_it_refuses_a_date_range_that_ends_before_it_starts():
    with pytest.raises(InvalidExport):
        ExportSpec(campaign_id=1, confirmed_from=date(2025, 3, 2), confirmed_to=date(2025, 3, 1))


def test_it_filters_by_active_consent_to_an_organisation_in_a_verified_list():
    campaign = make_campaign()
    organisation, other = make_organisation(), make_organisation()
    make_consent(make_signature(campaign, last_name="Consented", status="confirmed"), organisation)
    make_consent(make_signature(campaign, last_name="ConsentedElsewhere", status="confirmed"), other)
    make_consent(
        make_signature(campaign, last_name="WithdrewConsent", status="confirmed"),
        organisation,
        withdrawn_at=timezone.now(),
    )
    make_signature(campaign, last_name="NoConsent", status="confirmed")
    assert last_names(ExportSpec(campaign_id=campaign.pk, consented_to_id=organisation.pk)) == ["Consented"]


def test_it_combines_filters():
    campaign = make_campaign()
    partner = make_organisation()
    make_signature(campaign, last_name="Match", country="DE", partner=partner, status="confirmed")
    make_signature(campaign, last_name="WrongCountry", country="FR", partner=partner, status="confirmed")
    make_signature(campaign, last_name="WrongPartner", country="DE", status="confirmed")
    spec = ExportSpec(campaign_id=campaign.pk, countries=("DE",), partner_id=partner.pk)
    assert last_names(spec) == ["Match"]


def test_it_writes_the_verified_list_columns_and_no_email():
    campaign = make_campaign()
    make_signature(
        campaign, first_name="Åsa", last_name="Øster-Lund", country="SE", postcode="114 55", status="confirmed",
        email="asa@example.org", confirmed_at=datetime(2025, 3, 1, 9, 30, 5, 123456, tzinfo=UTC),
    )
    data = export_bytes(ExportSpec(campaign_id=campaign.pk))
    assert data.splitlines()[0] == b"first_name,last_name,country,postcode,confirmed_at_utc,partner"
    assert csv_rows(data) == [
        {
            "first_name": "Åsa", "last_name": "Øster-Lund", "country": "SE", "postcode": "114 55",
            "confirmed_at_utc": "2025-03-01 09:30:05", "partner": "",
        }
    ]
    assert b"asa@example.org" not in data and b"email" not in data


def test_it_starts_with_a_byte_order_mark_only_when_asked():
    campaign = make_campaign()
    make_signature(campaign, status="confirmed")
    assert not export_bytes(ExportSpec(campaign_id=campaign.pk)).startswith(b"\xef\xbb\xbf")
    assert export_bytes(ExportSpec(campaign_id=campaign.pk, include_bom=True)).startswith(b"\xef\xbb\xbffirst_name,")


def test_it_walks_past_chunk_boundaries_without_losing_or_repeating_rows(monkeypatch):
    monkeypatch.setattr("signatures.exports.stream.CHUNK_ROWS", 3)
    campaign = make_campaign()
    expected = []
    for n in range(10):
        make_signature(campaign, last_name=f"Signer{n}", status="confirmed")
        expected.append(f"Signer{n}")
        make_signature(campaign, status="pending")
    assert last_names(ExportSpec(campaign_id=campaign.pk)) == expected
