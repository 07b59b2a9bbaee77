"""manage.py export_signatures shares the admin's code: same filters, same bytes, same record."""

import stat
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command

from signatures.models import SignatureExport
from tests.factories import make_campaign, make_consent, make_organisation, make_signature, make_staff_user
from tests.staff import log_in_staff

from .support import EXPORT_PERMISSION, csv_rows, export_from_command, export_page, form_data, streamed

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    campaign = make_campaign(slug="ban-biometric-surveillance")
    partner = make_organisation(slug="edri")
    contact_org = make_organisation(slug="privacy-international")
    for n, (country, status) in enumerate(
        [("DE", "confirmed"), ("FR", "confirmed"), ("DE", "pending"), ("DE", "confirmed"), ("AT", "withdrawn")]
    ):
        signature = make_signature(
            campaign,
            first_name=f"Ünïcode{n}",
            country=country,
            status=status,
            partner=partner if n % 2 else None,
            confirmed_at=datetime(2025, 3, 1 + n, tzinfo=UTC) if status == "confirmed" else None,
        )
        make_consent(signature, contact_org)
    return campaign


@pytest.mark.parametrize(
    "admin_fields, options",
    [
        ({}, []),
        ({"country": ["DE"], "status": ["confirmed", "pending"]}, ["--country", "de", "--status", "confirmed",
                                                                 "--status", "pending"]),
        ({"partner": "edri", "confirmed_from": "2025-03-02", "bom": "on"}, ["--partner", "edri", "--confirmed-from",
                                                                           "2025-03-02", "--bom"]),
        ({"purpose": "contact", "consented_to": "privacy-international", "confirmed_to": "2025-03-02"},
         ["--purpose", "contact", "--consented-to", "privacy-international", "--confirmed-to", "2025-03-02"]),
    ],
    ids=["defaults", "country-and-pending", "partner-date-bom", "contact-list"],
)
def test_it_writes_the_same_bytes_as_the_admin_for_the_same_filters(client, tmp_path, campaign, admin_fields, options):
    log_in_staff(client, make_staff_user(EXPORT_PERMISSION))
    from_admin = streamed(client.post(export_page(campaign), form_data(**admin_fields)))
    from_command = export_from_command(tmp_path, campaign, *options)
    assert csv_rows(from_command), "the comparison needs rows"
    assert from_command == from_admin
    admin_record, command_record = SignatureExport.objects.order_by("pk")
    assert command_record.filters == admin_record.filters
    assert command_record.checksum == admin_record.checksum


def test_it_writes_to_stdout_with_a_dash(campaign, capsysbinary, tmp_path):
    call_command("export_signatures", campaign.slug, "--output", "-")
    out = capsysbinary.readouterr().out
    assert out == export_from_command(tmp_path, campaign)
    assert out.startswith(b"first_name,last_name,country,postcode,confirmed_at_utc,partner\n")


def test_it_creates_the_file_readable_by_its_owner_only(campaign, tmp_path):
    export_from_command(tmp_path, campaign)
    mode = stat.S_IMODE((tmp_path / "command-export.csv").stat().st_mode)
    assert mode == 0o600


def test_it_records_the_user_it_exports_for(campaign, tmp_path):
    exporter = make_staff_user(EXPORT_PERMISSION, username="dana")
    export_from_command(tmp_path, campaign, "--user", "dana")
    export = SignatureExport.objects.get()
    assert (export.requested_by, export.requested_by_name, export.channel) == (exporter, "dana", "command")


def test_it_refuses_a_user_without_the_export_permission(campaign, tmp_path):
    make_staff_user("signatures.moderate_signatures", username="mod")
    with pytest.raises(CommandError, match="does not have the permission"):
        export_from_command(tmp_path, campaign, "--user", "mod")
    assert not SignatureExport.objects.exists()


def test_it_says_which_option_is_wrong(campaign, tmp_path):
    with pytest.raises(CommandError) as error:
        export_from_command(tmp_path, campaign, "--purpose", "contact", "--country", "XX", "--confirmed-from", "March")
    message = str(error.value)
    assert "--consented-to:" in message and "--country:" in message and "--confirmed-from:" in message
    assert not SignatureExport.objects.exists()
    assert not (tmp_path / "command-export.csv").exists()


def test_it_refuses_pending_signers_in_a_contact_list(campaign, tmp_path):
    with pytest.raises(CommandError, match="confirmed signatures only"):
        export_from_command(
            tmp_path, campaign, "--purpose", "contact", "--consented-to", "privacy-international", "--status", "pending"
        )


def test_it_names_an_unknown_campaign(tmp_path):
    with pytest.raises(CommandError, match="No campaign with the slug 'nope'"):
        call_command("export_signatures", "nope", "--output", str(tmp_path / "out.csv"))
