"""Pure helpers of petition/: the Content-Security-Policy builder, origins, client addresses."""

import pytest
from django.test import RequestFactory

from petition.crossorigin import origin_of, posted_from_another_site
from petition.ratelimits import client_ip, ip_hash, parse_address
from petition.security import build_policy

pytestmark = pytest.mark.unit


def directives(policy: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


def test_the_base_policy_allows_only_our_own_origin_and_no_framing():
    policy = directives(build_policy())
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]


def test_recaptcha_widens_only_scripts_frames_and_connections():
    base, widened = directives(build_policy()), directives(build_policy(recaptcha=True))
    changed = {name for name in base if base[name] != widened[name]}
    assert changed == {"script-src", "frame-src", "connect-src"}
    assert "https://www.google.com" in widened["script-src"]


def test_framing_replaces_none_with_the_origins_named():
    assert directives(build_policy(frame_ancestors=["https://a.example"]))["frame-ancestors"] == ["https://a.example"]


@pytest.mark.parametrize(
    "url, origin",
    [
        ("https://Partner.Example/path?q=1", "https://partner.example"),
        ("http://intranet.example:8080/x", "http://intranet.example:8080"),
        ("https://partner.example:443/", "https://partner.example"),
        ("https://[2001:DB8::1]:8443/x", "https://[2001:db8::1]:8443"),
        ("https://bücher.example/", "https://xn--bcher-kva.example"),
        ("javascript:alert(1)", ""),
        ("ftp://files.example", ""),
        ("not a url", ""),
        # The user part never reaches a header: this one once wrote a directive of its own.
        ("https://x;script-src:*@partner.org", "https://partner.org"),
        ("https://user:password@partner.org/", "https://partner.org"),
        ("https://a;b.example/", ""),
        ("https://a b.example/", ""),
        ("https://partner.example\r\nSet-Cookie: x=1", ""),
        ("https://partner.example:99999/", ""),
        ("https://under_score.example/", ""),
    ],
)
def test_origin_of_keeps_scheme_host_and_port_of_http_urls_only(url, origin):
    assert origin_of(url) == origin


@pytest.mark.parametrize("source", ["https://x;script-src:*@partner.org", "https://a.example; script-src *", "*"])
def test_the_policy_builder_refuses_a_frame_ancestor_that_is_not_an_origin(source):
    with pytest.raises(ValueError):
        build_policy(frame_ancestors=[source])


@pytest.mark.parametrize(
    "headers, refused",
    [
        ({"HTTP_SEC_FETCH_SITE": "same-origin"}, False),
        ({"HTTP_SEC_FETCH_SITE": "none"}, False),
        ({"HTTP_SEC_FETCH_SITE": "cross-site"}, True),
        ({"HTTP_SEC_FETCH_SITE": "same-site"}, True),
        ({"HTTP_ORIGIN": "http://testserver"}, False),
        ({"HTTP_ORIGIN": "https://attacker.example"}, True),
        ({"HTTP_ORIGIN": "null"}, True),
        ({"HTTP_REFERER": "https://attacker.example/page"}, True),
        ({}, False),
    ],
)
def test_a_post_is_refused_when_the_browser_says_another_site_made_it(headers, refused):
    assert posted_from_another_site(RequestFactory().post("/en/x/sign/", **headers)) is refused


def test_without_trusted_proxies_the_socket_address_is_the_client(settings):
    settings.TRUSTED_PROXIES = []
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.7", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_ip(request) == "192.0.2.7"


def test_the_address_hash_is_keyed_and_stable(settings):
    settings.IP_HASH_KEY = "one key"
    address = parse_address("192.0.2.7")
    first = ip_hash(address)
    assert first == ip_hash(address) and len(first) == 64 and "192.0.2.7" not in first
    settings.IP_HASH_KEY = "another key"
    assert ip_hash(address) != first
