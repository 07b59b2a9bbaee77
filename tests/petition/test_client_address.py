"""The client's address: X-Forwarded-For is believed only from our own proxies, and IPv6 counts by /64."""

import pytest
from django.test import RequestFactory

from petition.ratelimits import address_group, client_ip, ip_hash, parse_address

pytestmark = pytest.mark.unit


def address(remote: str, forwarded: str | None = None) -> str:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **meta))


def test_a_client_that_connects_directly_cannot_choose_its_address(settings):
    # The exploit: with hop counting and no proxy in front, this was the client's pick.
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert address("198.51.100.9", "203.0.113.1") == "198.51.100.9"
    assert address("198.51.100.9", "10.0.0.5") == "198.51.100.9"


def test_behind_a_trusted_proxy_the_address_it_saw_is_the_client(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert address("10.0.0.2", "198.51.100.7") == "198.51.100.7"


def test_addresses_the_client_wrote_to_the_left_are_ignored(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert address("10.0.0.2", "1.1.1.1, 2.2.2.2, 198.51.100.7") == "198.51.100.7"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "192.168.1.1", "fd00::/8"]
    assert address("10.0.0.2", "6.6.6.6, 198.51.100.7, fd00::3, 192.168.1.1") == "198.51.100.7"


def test_a_header_shorter_than_the_chain_falls_back_to_the_socket_address(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert address("10.0.0.2", "10.0.0.3") == "10.0.0.2"
    assert address("10.0.0.2", "") == "10.0.0.2"
    assert address("10.0.0.2") == "10.0.0.2"


def test_garbage_from_a_trusted_proxy_falls_back_to_the_socket_address(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert address("10.0.0.2", "198.51.100.7, unknown") == "10.0.0.2"
    assert address("10.0.0.2", "198.51.100.7, ‮1.2.3.4") == "10.0.0.2"


def test_proxies_that_write_ports_and_brackets_are_understood(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert address("10.0.0.2", "198.51.100.7:51234") == "198.51.100.7"
    assert address("10.0.0.2", "[2001:db8::7]:443") == "2001:db8::7"


def test_an_ipv4_mapped_ipv6_socket_address_is_the_ipv4_address(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert address("::ffff:10.0.0.2", "198.51.100.7") == "198.51.100.7"
    assert address("::ffff:198.51.100.9") == "198.51.100.9"


def test_ipv6_addresses_count_by_their_64_and_ipv4_one_by_one():
    assert address_group(parse_address("2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::/64"
    assert address_group(parse_address("2001:db8:1:2:bbbb::2")) == "2001:db8:1:2::/64"
    assert address_group(parse_address("2001:db8:1:3::1")) == "2001:db8:1:3::/64"
    assert address_group(parse_address("198.51.100.7")) == "198.51.100.7"


def test_the_address_hash_covers_the_64_so_rotating_within_it_changes_nothing(settings):
    settings.IP_HASH_KEY = "k" * 50
    one, other, neighbour = (parse_address(a) for a in ("2001:db8::1", "2001:db8::ffff:1", "2001:db8:0:1::1"))
    assert ip_hash(one) == ip_hash(other)
    assert ip_hash(one) != ip_hash(neighbour)
