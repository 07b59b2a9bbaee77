"""A table of good and bad inputs for every field of the sign form."""

import pytest

from signatures.forms import SignatureForm
from tests.factories import sign_data

pytestmark = pytest.mark.unit


def errors_for(**fields):
    form = SignatureForm(data=sign_data(**fields))
    form.is_valid()
    return form.errors


@pytest.mark.parametrize(
    "value",
    ["Marie", "Jean-Luc", "O'Brien", "María José", "Zoë", "Ólafur", "Łukasz", "Ελένη", "Милена", "Þórunn", "李", "N'Golo"],
)
def test_it_accepts_real_first_names(value):
    assert "first_name" not in errors_for(first_name=value)


@pytest.mark.parametrize(
    "value, message",
    [
        ("", "Please enter your first name."),
        ("   ", "Please enter your first name."),
        ("x" * 101, "at most 100 characters"),
        ("Marie\u202eeiraM", "hidden characters"),  # right-to-left override
        ("Ma\u200brie", "hidden characters"),  # zero-width space
        ("Marie\x07", "hidden characters"),  # control character
        ("Marie\x00", "Null characters are not allowed"),
        ("Marie 😀", "emoji"),
        ("http://spam.example", "not a web address"),
        ("visit www.spam", "not a web address"),
        ("cheap-pills.com", "not a web address"),
        ("<script>", "no symbols"),
        ("12345", "name in letters"),
    ],
)
def test_it_rejects_bad_first_names_with_a_specific_message(value, message):
    errors = errors_for(first_name=value)
    assert message in " ".join(errors["first_name"])


def test_it_applies_the_same_rules_to_last_names():
    assert "hidden characters" in " ".join(errors_for(last_name="Cu\u202erie")["last_name"])
    assert "last name" in " ".join(errors_for(last_name="")["last_name"])


def test_it_normalises_names_to_nfc_and_single_spaces():
    form = SignatureForm(data=sign_data(first_name="  Jose\u0301   Maria "))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["first_name"] == "José Maria"


@pytest.mark.parametrize(
    "value",
    ["a@example.org", "Marie.Curie+tag@Example.ORG", "user@sub.example.co.uk", "marie@exämple.de", "ann@localhost.example.org", "ann@local.de"],
)
def test_it_accepts_valid_email_addresses(value):
    assert "email" not in errors_for(email=value)


@pytest.mark.parametrize(
    "value, message",
    [
        ("", "Please enter your email address."),
        ("not-an-email", "complete email address"),
        ("a@b", "complete email address"),
        ("a b@example.org", "complete email address"),
        ("a@example.org\n", None),  # trailing newline is stripped, accepted
        ("a\x00@example.org", "Null characters"),
        ("x" * 250 + "@example.org", "at most 254 characters"),
        ("someone@mailinator.com", "disposable"),
        # RFC 2047 encoded words, which the mail backend decodes: each went to marie@example.org.
        ("=?utf-8?q?marie?=@example.org", "complete email address"),
        ("=?utf-8?b?bWFyaWU=?=@example.org", "complete email address"),
        ("=?us-ascii?q?ma?==?us-ascii?q?rie?=@example.org", "complete email address"),
        ("=?utf-8?q?marie?=.x@example.org", "complete email address"),
        # Domains that never reach a mailbox on the internet, which Django's validator lets through.
        ("root@localhost", "part after the @ cannot be used"),
        ("root@LOCALHOST.", "part after the @ cannot be used"),
        ("ann@mail.localhost", "part after the @ cannot be used"),
        ("ann@[127.0.0.1]", "part after the @ cannot be used"),
        ("ann@[IPv6:::1]", "part after the @ cannot be used"),
        ("ann@printer.local", "part after the @ cannot be used"),
        ("ann@intranet.internal", "part after the @ cannot be used"),
        ("ann@nowhere.invalid", "part after the @ cannot be used"),
        ("ann@router.home.arpa", "part after the @ cannot be used"),
        ("ann@ｌｏｃａｌｈｏｓｔ", "part after the @ cannot be used"),
    ],
)
def test_it_rejects_bad_email_addresses_with_a_specific_message(value, message):
    errors = errors_for(email=value)
    if message is None:
        assert "email" not in errors
    else:
        assert message in " ".join(errors["email"])


def test_disposable_domains_are_configurable(settings):
    settings.DISPOSABLE_EMAIL_DOMAINS_ALLOWED = ["mailinator.com"]
    settings.DISPOSABLE_EMAIL_DOMAINS_EXTRA = ["throwaway.example"]
    assert "email" not in errors_for(email="someone@mailinator.com")
    assert "disposable" in " ".join(errors_for(email="someone@throwaway.example")["email"])


@pytest.mark.parametrize("value", ["a@sub.mailinator.com", "a@x.y.MAILINATOR.com", "a@anything.throwaway.example"])
def test_a_subdomain_of_a_disposable_domain_is_disposable_too(settings, value):
    settings.DISPOSABLE_EMAIL_DOMAINS_EXTRA = ["throwaway.example"]
    assert "disposable" in " ".join(errors_for(email=value)["email"])


def test_the_most_specific_listed_name_decides(settings):
    settings.DISPOSABLE_EMAIL_DOMAINS_EXTRA = ["campus.example"]
    settings.DISPOSABLE_EMAIL_DOMAINS_ALLOWED = ["staff.campus.example", "mailinator.com"]
    assert "email" not in errors_for(email="a@staff.campus.example")
    assert "email" not in errors_for(email="a@lab.staff.campus.example")
    assert "disposable" in " ".join(errors_for(email="a@students.campus.example")["email"])
    assert "email" not in errors_for(email="a@sub.mailinator.com")


@pytest.mark.parametrize(
    "country, postcode, normalised",
    [
        ("DE", "10115", "10115"),
        ("FR", "75005", "75005"),
        ("NL", "1012 ab", "1012 AB"),
        ("NL", "1012AB", "1012AB"),
        ("PL", "00-950", "00-950"),
        ("PT", "1000-001", "1000-001"),
        ("GB", "sw1a 1aa", "SW1A 1AA"),
        ("IE", "D02 X285", "D02 X285"),
        ("SE", "111  22", "111 22"),
        ("CH", "3003", "3003"),
        ("NO", "0150", "0150"),
        ("MT", "VLT 1117", "VLT 1117"),
        ("US", "94103", "94103"),  # no known format: general rule
        ("US", "", ""),  # optional where no format is known
    ],
)
def test_it_accepts_postcodes_in_the_countrys_format(country, postcode, normalised):
    form = SignatureForm(data=sign_data(country=country, postcode=postcode))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["postcode"] == normalised


@pytest.mark.parametrize(
    "country, postcode, message",
    [
        ("DE", "1011", "for example 10115"),
        ("DE", "ABCDE", "for example 10115"),
        ("FR", "7500", "for example 75001"),
        ("NL", "AB 1012", "for example 1012 AB"),
        ("PL", "00950", "for example 00-950"),
        ("GB", "12345", "for example SW1A 1AA"),
        ("DE", "", "Please enter your postcode."),
        ("US", "94103!!", "letters, digits, spaces and hyphens (at most 16 characters)"),
        ("US", "9" * 40, "at most 16 characters"),
        ("DE", "10115\u202e", "for example 10115"),
    ],
)
def test_it_rejects_postcodes_that_do_not_fit_the_country(country, postcode, message):
    errors = errors_for(country=country, postcode=postcode)
    assert message in " ".join(errors["postcode"])


@pytest.mark.parametrize(
    "value, message",
    [
        ("", "Please choose your country."),
        ("XX", "from the list"),
        ("de", "from the list"),
        ("DE ", "from the list"),
        ("\u202eDE", "from the list"),
        ("ＤＥ", "from the list"),
        ("D" * 300, "from the list"),
    ],
)
def test_it_rejects_unknown_countries(value, message):
    assert message in " ".join(errors_for(country=value)["country"])


def test_it_requires_accepting_the_privacy_notice():
    assert "privacy notice" in " ".join(errors_for(accept_privacy=None)["accept_privacy"])


def test_contact_consent_is_optional_and_off_by_default():
    form = SignatureForm(data=sign_data())
    assert form.is_valid()
    assert form.cleaned_data["contact_consent"] is False
    assert "checked" not in str(SignatureForm()["contact_consent"])


def test_it_marks_the_first_invalid_field_for_focus_and_screen_readers():
    form = SignatureForm(data=sign_data(first_name="", email="nope"))
    assert not form.is_valid()
    first_html = str(form["first_name"])
    assert "autofocus" in first_html and 'aria-invalid="true"' in first_html
    assert 'aria-describedby="id_first_name_error"' in first_html
    assert "autofocus" not in str(form["email"])


def test_every_country_in_the_list_is_accepted_and_nothing_else():
    from signatures.forms import country_choices, country_codes

    listed = {code for code, _name in country_choices("de") if code}
    assert listed == country_codes()
    for code in sorted(listed)[::20]:
        assert "country" not in errors_for(country=code)


@pytest.mark.parametrize(
    "value",
    ["a@example.org", "Marie.Curie+tag@Example.ORG", "o'brien@example.org", "a=b?c@example.org", "a!#$%&'*+/=^_`{|}~-?@example.org"],
)
def test_an_accepted_address_is_the_one_the_email_is_sent_to(value):
    """The stored address and the envelope recipient are one mailbox: nothing is decoded on the way out."""
    from petition.mailer import envelope_recipient

    assert "email" not in errors_for(email=value)
    assert envelope_recipient(value, "utf-8") == value
