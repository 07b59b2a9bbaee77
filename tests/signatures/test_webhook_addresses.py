"""Addresses under /anymail/ that the platform does not use answer 404, never a server error."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/anymail/amazon_ses/tracking/",  # a provider the platform does not send through
        "/anymail/mandrill/tracking/",
        "/anymail/unisender_go/tracking/",
        "/anymail/brevo/inbound/",  # inbound mail, which the platform does not take
        "/anymail/postal/inbound/",
        "/anymail/mailgun/tracking/",  # a provider of ours, without its webhook signing key
        "/anymail/postal/tracking/",
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unused_or_unconfigured_webhook_is_not_found(client, settings, path, method):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:0f8e2c1d9b7a"}
    client.raise_request_exception = False
    if method == "post":
        response = client.post(path, "{}", content_type="application/json")
    else:
        response = client.get(path)
    assert response.status_code == 404


@pytest.mark.parametrize("provider", ["postmark", "mailgun", "brevo", "mailjet", "postal"])
def test_each_providers_tracking_webhook_is_served(provider):
    from django.urls import resolve

    assert resolve(f"/anymail/{provider}/tracking/").url_name == f"{provider}_tracking_webhook"
