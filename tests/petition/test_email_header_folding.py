"""Every header comes out exactly as compat32 (Django's policy) writes it, but for the link headers kept whole."""

from email._policybase import compat32

import pytest

from petition.header_folding import LINK_HEADERS_POLICY

pytestmark = pytest.mark.unit

HEADERS = [
    ("Subject", "Please confirm your signature: Ban biometric mass surveillance"),
    ("Content-Type", 'multipart/alternative; boundary="===============5863213178467711111=="'),
    ("Date", "Thu, 03 Dec 2026 09:43:36 -0000"),
    ("Message-ID", "<176475261600.1234.5678@petition.example.org>"),
    ("Subject", "  two  spaces,\ta tab and a trailing space "),
    ("Subject", "=?utf-8?q?looks_encoded?="),
    ("Subject", "A subject far too long to fit on one line, which compat32 folds at a space somewhere"),
    ("Subject", "Unterstützen Sie die Petition"),
    ("Subject", "a vertical\x0btab and a form\x0cfeed"),
    ("X-Empty", ""),
]


@pytest.mark.parametrize(("name", "value"), HEADERS)
def test_a_header_is_written_exactly_as_compat32_writes_it(name, value):
    assert LINK_HEADERS_POLICY.fold(name, value) == compat32.fold(name, value)
    assert LINK_HEADERS_POLICY.fold_binary(name, value) == compat32.fold_binary(name, value)


def test_a_long_message_id_stays_on_its_line_where_compat32_would_fold_it():
    value = "<179650394242.10286.16127630624272731470@mail.stop-surveillance.example>"

    assert LINK_HEADERS_POLICY.fold("Message-ID", value) == f"Message-ID: {value}\n"
    assert compat32.fold("Message-ID", value) != f"Message-ID: {value}\n"


def test_a_long_link_header_stays_on_its_line_where_compat32_would_fold_it():
    value = "<https://petition.example.org/en/s/unsubscribe/123/" + "a" * 80 + "/>"

    assert LINK_HEADERS_POLICY.fold("List-Unsubscribe", value) == f"List-Unsubscribe: {value}\n"
    assert compat32.fold("List-Unsubscribe", value) != f"List-Unsubscribe: {value}\n"
