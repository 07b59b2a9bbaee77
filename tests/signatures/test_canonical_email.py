import pytest

from signatures.emailaddr import canonical_email

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
