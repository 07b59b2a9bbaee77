"""A whole signing, confirmation and withdrawal, logged at DEBUG everywhere, leaves no name, email or address in the logs."""

import logging

import pytest
from django.urls import reverse

from signatures.models import Signature
from tests.factories import confirm_token, make_campaign, make_consent, make_organisation, manage_token

pytestmark = pytest.mark.django_db

FIRST, LAST = "Zéphyrine", "Quatremains"
EMAIL = "Zephyrine.Quatremains+petition@example.net"
POSTCODE = "75011"
CLIENT_IP, PROXY_IP = "203.0.113.77", "10.9.8.7"
PERSONAL = [FIRST, LAST, EMAIL, "zephyrine.quatremains", "Quatremains+petition", POSTCODE, CLIENT_IP, PROXY_IP]


@pytest.fixture
def everything_logged(caplog):
    """Every logger at DEBUG, and the ones that do not propagate captured too."""
    names = ["", *logging.root.manager.loggerDict]
    for name in names:
        caplog.set_level(logging.DEBUG, logger=name)
    silent = [
        logger
        for logger in (logging.getLogger(name) for name in names)
        if not logger.propagate and caplog.handler not in logger.handlers
    ]
    for logger in silent:
        logger.addHandler(caplog.handler)
    yield caplog
    for logger in silent:
        logger.removeHandler(caplog.handler)


def logged_text(caplog) -> str:
    lines = []
    for record in caplog.records:
        lines += [record.name, record.getMessage(), repr(record.args), record.exc_text or ""]
        if record.exc_info:
            lines.append(logging.Formatter().formatException(record.exc_info))
    return "\n".join(lines)


def test_it_logs_no_personal_data_through_signing_confirming_and_withdrawing(
    client, settings, everything_logged, django_capture_on_commit_callbacks
):
    settings.TRUSTED_PROXIES = [PROXY_IP]
    settings.SIGN_RATE_BURST = "3/m"
    campaign = make_campaign()
    sign_url = reverse("signatures:sign", kwargs={"slug": campaign.slug})
    network = {"REMOTE_ADDR": PROXY_IP, "HTTP_X_FORWARDED_FOR": CLIENT_IP}
    form = {
        "first_name": FIRST,
        "last_name": LAST,
        "email": EMAIL,
        "country": "FR",
        "postcode": POSTCODE,
        "contact_consent": "on",
        "accept_privacy": "on",
    }

    client.get(campaign.get_absolute_url(), **network)
    # A mistake first, then the real thing, then signing again, then too often.
    assert client.post(sign_url, {**form, "postcode": "not a postcode"}, **network).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(sign_url, form, **network).status_code == 302
    signature = Signature.objects.get()
    make_consent(signature, make_organisation())
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(sign_url, form, **network).status_code == 302
        assert client.post(sign_url, form, **network).status_code == 429
        tokens = [confirm_token(signature), manage_token(signature)]
        confirm = reverse("signatures:confirm", kwargs={"pk": signature.pk, "token": tokens[0]})
        assert client.get(confirm, **network).status_code == 200
        assert client.post(confirm, **network).status_code == 200
        assert client.get(confirm.replace(tokens[0], "wrong-token"), **network).status_code == 404
        withdraw = reverse("signatures:withdraw", kwargs={"pk": signature.pk, "token": tokens[1]})
        assert client.post(withdraw, **network).status_code == 200

    text = logged_text(everything_logged)
    assert f"signature {signature.pk} confirmed" in text, "the flow was not logged at all"
    for value in PERSONAL:
        assert value.lower() not in text.lower(), f"{value!r} appears in the logs"
    for token in tokens:
        assert token not in text
