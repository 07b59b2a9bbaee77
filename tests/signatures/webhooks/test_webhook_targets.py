"""A webhook reaches the receiver staff typed and nothing else: no redirects, no private networks in production."""

import socket
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from signatures import webhooks


def serve(handler_class) -> tuple[ThreadingHTTPServer, int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


class Recorder(BaseHTTPRequestHandler):
    hits: list = []

    def do_GET(self):
        Recorder.hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    do_POST = do_GET

    def log_message(self, *args):
        pass


def redirecting_to(target: str):
    class Redirector(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(302)
            self.send_header("Location", target)
            self.end_headers()

        def log_message(self, *args):
            pass

    return Redirector


@pytest.fixture
def recorder():
    Recorder.hits = []
    server, port = serve(Recorder)
    yield port
    server.shutdown()
    server.server_close()


def request_to(url: str) -> urllib.request.Request:
    return urllib.request.Request(url, data=b"{}", method="POST", headers={"Content-Type": "application/json"})


def test_it_counts_a_redirect_as_a_failed_delivery_and_does_not_follow_it(settings, recorder):
    settings.DEBUG = True  # loopback receivers are allowed only in development
    redirector, port = serve(redirecting_to(f"http://127.0.0.1:{recorder}/internal"))
    try:
        status, _error = webhooks.post(request_to(f"http://127.0.0.1:{port}/hook"))
    finally:
        redirector.shutdown()
        redirector.server_close()

    assert status == 302
    assert Recorder.hits == []


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "10.1.2.3", "169.254.169.254", "[::1]"])
def test_it_refuses_receivers_on_private_networks_in_production(settings, recorder, host):
    settings.DEBUG = False
    port = recorder if host in ("127.0.0.1", "localhost") else 9

    status, error = webhooks.post(request_to(f"https://{host}:{port}/hook"))

    assert (status, error) == (None, "PrivateAddress")
    assert Recorder.hits == []


def test_it_lets_public_receivers_through_the_address_check(settings, monkeypatch):
    settings.DEBUG = False
    public = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 443))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: public)

    webhooks.refuse_private_hosts("https://crm.example.org/hook")


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::a00:1",  # NAT64 to 10.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 to 169.254.169.254, the cloud's metadata
        "64:ff9b::7f00:1",  # NAT64 to 127.0.0.1
        "::127.0.0.1",  # IPv4-compatible
        "::ffff:10.0.0.1",  # IPv4-mapped
        "2002:a00:1::1",  # 6to4 of 10.0.0.1
    ],
)
def test_it_refuses_ipv6_addresses_that_carry_a_private_ipv4_address(settings, monkeypatch, address):
    settings.DEBUG = False
    answer = [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, 443, 0, 0))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: answer)

    with pytest.raises(webhooks.PrivateAddress):
        webhooks.refuse_private_hosts("https://crm.example.org/hook")


@pytest.mark.parametrize("address", ["64:ff9b::5db8:d70e", "2a00:1450:4001:80b::200e"])
def test_it_lets_public_ipv6_receivers_through_nat64_included(settings, monkeypatch, address):
    settings.DEBUG = False
    answer = [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, 443, 0, 0))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: answer)

    webhooks.refuse_private_hosts("https://crm.example.org/hook")
