"""A webhook's name is checked where it is connected to: a name that re-resolves to a private address is refused."""

import socket

from signatures import webhooks

from .test_webhook_targets import Recorder, recorder, request_to  # noqa: F401 - the fixture


def test_a_name_that_answers_public_then_loopback_never_reaches_loopback(settings, recorder, monkeypatch):  # noqa: F811
    settings.DEBUG = False
    answers = iter(
        [[(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", recorder))]]
        + [[(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", recorder))]] * 10
    )
    looked_up = []

    def rebinding(host, port, *args, **kwargs):
        looked_up.append(host)
        return next(answers)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)

    status, error = webhooks.post(request_to(f"http://rebind.example:{recorder}/hook"))

    assert (status, error) == (None, "PrivateAddress")
    assert Recorder.hits == []
    assert looked_up and set(looked_up) == {"rebind.example"}


def test_a_checked_public_name_is_connected_to_at_the_address_that_was_checked(settings, recorder, monkeypatch):  # noqa: F811
    settings.DEBUG = True  # the loopback receiver stands in for a public one
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *args, **kwargs: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", recorder))],
    )

    status, _error = webhooks.post(request_to(f"http://crm.example:{recorder}/hook"))

    assert status == 200
    assert Recorder.hits == ["/hook"]
