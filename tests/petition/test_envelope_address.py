"""The envelope recipient of a plain ASCII address, written without parsing it, is what Django's sanitize_address gives,
and its quoted form for RCPT TO what smtplib's quoteaddr gives."""

import random
import smtplib
from unittest import mock

import pytest
from django.core.mail.message import sanitize_address

from petition import mailer
from petition.mailer import envelope_recipient

PLAIN = [
    "ann@example.org",
    "A.B@EXAMPLE.ORG",
    "o'hara@example.ie",
    "first.last+tag@mail.example.co.uk",
    "under_score-dash%percent@x-y.example",
    "1234@123.example",
    "a@b",
    "a@-x.org",
    "a@x." + "y" * 63,
    "a@" + "x" * 63 + ".org",
]

# Each goes through Django: IDN, quoting, unicode local parts, encoded words,
# display names, comments, and what Django refuses.
NOT_PLAIN = [
    "ann@bücher.example",
    "jörg@example.org",
    "用户@例子.广告",
    '"quoted"@example.org',
    '"a b"@example.org',
    "a b@example.org",
    "=?utf-8?q?abc?=@example.org",
    "=?utf-8?b?w6k=?=@example.org",
    "a=b@example.org",
    "a?b@example.org",
    "Ann <ann@example.org>",
    "(comment)ann@example.org",
    "ann@example.org (comment)",
    "a..b@example.org",
    ".a@example.org",
    "a.@example.org",
    "a@example.org.",
    "a@b..c",
    "a@.b",
    "a@" + "x" * 64 + ".org",
    "a@[127.0.0.1]",
    "a@b@c",
    "@example.org",
    "ann@",
    "ann",
    "",
    "ann@example.org\n",
    "ann\r@example.org",
    " ann@example.org",
    "ann@example.org ",
    "ann@exa mple.org",
    "a!#$&*/^`{|}~@example.org",
    ("Ann", "ann@example.org"),
]


def outcome(function, address):
    try:
        return function(address, "utf-8")
    except Exception as exc:  # ValueError mostly; the stdlib parser raises others on some inputs
        return type(exc)


@pytest.mark.parametrize("address", PLAIN + NOT_PLAIN)
def test_it_is_what_sanitize_address_gives(address):
    assert outcome(envelope_recipient, address) == outcome(sanitize_address, address)


@pytest.mark.parametrize("address", PLAIN)
def test_a_plain_address_is_not_parsed(address):
    with mock.patch.object(mailer, "sanitize_address") as django:
        assert envelope_recipient(address, "utf-8") == address
    django.assert_not_called()


@pytest.mark.parametrize("address", NOT_PLAIN)
def test_any_other_address_goes_through_django(address):
    with mock.patch.object(mailer, "sanitize_address", return_value="checked") as django:
        assert envelope_recipient(address, "utf-8") == "checked"
    django.assert_called_once_with(address, "utf-8")


def test_random_addresses_of_ascii_and_other_characters_agree_with_sanitize_address():
    rng = random.Random(20261203)
    plain = "abcxyzABCXYZ0189_%+'-"
    mixed = plain * 4 + "....@@ \"()<>,;:[]\\=?!#$&*/^`{|}~éü用\t\n"
    fast = 0
    for number in range(20000):
        # Half of them of plain characters and dots only, most of which take the fast path.
        alphabet = plain + "." if number % 2 else mixed
        local = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        domain = "".join(rng.choice(plain + "..-é") for _ in range(rng.randint(0, 10)))
        address = f"{local}@{domain}"
        fast += bool(mailer.PLAIN_ADDRESS.fullmatch(address))
        assert outcome(envelope_recipient, address) == outcome(sanitize_address, address), address
        assert mailer.quoted_recipient(address) == smtplib.quoteaddr(address), address
    # Enough of both kinds that the comparison says something about each.
    assert 2000 < fast < 18000


@pytest.mark.parametrize("address", [address for address in PLAIN + NOT_PLAIN if isinstance(address, str)])
def test_the_quoted_recipient_is_what_smtplib_would_send(address):
    assert mailer.quoted_recipient(address) == smtplib.quoteaddr(address)


@pytest.mark.parametrize("address", PLAIN)
def test_a_plain_recipient_is_quoted_without_parsing(address):
    with mock.patch.object(smtplib, "quoteaddr") as parsing:
        assert mailer.quoted_recipient(address) == f"<{address}>"
    parsing.assert_not_called()
