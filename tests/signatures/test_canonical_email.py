import pytest

from signatures.emailaddr import UndeliverableAddress, canonical_email, deliverable_address

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "typed, canonical",
    [
        ("Marie@Example.org", "marie@example.org"),
        ("marie+petition@example.org", "marie@example.org"),
        ("marie+a+b@example.org", "marie@example.org"),
        ("m.a.r.i.e@example.org", "m.a.r.i.e@example.org"),  # dots matter outside Gmail
        ("M.A.R.I.E+x@Gmail.com", "marie@gmail.com"),
        ("ma.rie@googlemail.com", "marie@gmail.com"),
        ("  marie@example.org  ", "marie@example.org"),
    ],
)
def test_it_canonicalises_addresses(typed, canonical):
    assert canonical_email(typed) == canonical


INVISIBLE = {
    "zero-width space": "\u200b",
    "soft hyphen": "\u00ad",
    "zero-width non-joiner": "\u200c",
    "zero-width joiner": "\u200d",
    "byte order mark": "\ufeff",
    "word joiner": "\u2060",
    "left-to-right mark": "\u200e",
    "right-to-left override": "\u202e",
    "mongolian vowel separator": "\u180e",
}


@pytest.mark.parametrize("character", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_it_drops_invisible_characters_from_the_domain(character):
    assert canonical_email(f"marie@exam{character}ple.org") == "marie@example.org"
    assert canonical_email(f"marie@example{character}.org") == "marie@example.org"


@pytest.mark.parametrize(
    "domain",
    [
        "ｅｘａｍｐｌｅ.org",  # fullwidth letters
        "example．org",  # fullwidth full stop
        "example。org",  # ideographic full stop
        "ＥＸＡＭＰＬＥ.ORG",
        "exa\u200bmple\u00ad.\u200corg",
        "\ufeffEXAMPLE.org",
    ],
)
def test_it_writes_look_alike_spellings_of_one_domain_as_that_domain(domain):
    assert canonical_email(f"marie@{domain}") == "marie@example.org"


def test_it_writes_international_domains_in_their_ascii_form():
    assert canonical_email("jürgen@Bücher.de") == "jürgen@xn--bcher-kva.de"
    assert canonical_email("jürgen@xn--bcher-kva.de") == "jürgen@xn--bcher-kva.de"
    # A Cyrillic "е" is another domain: it must not fold into example.org.
    assert canonical_email("marie@\u0435xample.org") not in ("marie@example.org",)
    assert canonical_email("marie@\u0435xample.org").endswith(".org")


@pytest.mark.parametrize(
    "domain",
    ["exam\u0000ple.ünï", "ü" * 64 + ".de", "bü_cher.de", "-bücher.de", "bücher-.de", "b\u00fccher..de", "\U0001f600.de"],
)
def test_it_refuses_domains_no_mail_server_could_be_asked_for(domain):
    with pytest.raises(UndeliverableAddress):
        canonical_email(f"marie@{domain}")


def test_the_address_handed_to_the_mail_server_has_the_canonical_domain_and_the_typed_local_part():
    assert deliverable_address("Marie.Curie+x@ｅｘａｍ\u200bple.org") == "Marie.Curie+x@example.org"
