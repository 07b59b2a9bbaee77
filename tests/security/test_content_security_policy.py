"""Pages load only from our own origin, are framed by nobody, and reCAPTCHA is let in only on the sign step."""

import re

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from petition.security import ContentSecurityPolicyMiddleware, allow_framing, frame_ancestors
from signatures import links
from signatures.models import Signature
from tests.factories import confirm_token, make_campaign, make_signature, manage_token

pytestmark = pytest.mark.django_db

RECAPTCHA_ORIGINS = ("https://www.google.com", "https://www.gstatic.com", "https://www.recaptcha.net")


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


@pytest.fixture
def recaptcha_on(settings):
    settings.RECAPTCHA_ENABLED = True
    settings.RECAPTCHA_PUBLIC_KEY = "site-key-for-tests"
    settings.RECAPTCHA_PRIVATE_KEY = "secret-key-for-tests"
    settings.SILENCED_SYSTEM_CHECKS = [*settings.SILENCED_SYSTEM_CHECKS, "django_recaptcha.recaptcha_test_key_error"]


def public_pages(campaign) -> list[str]:
    signature = make_signature(campaign)
    return [
        reverse("campaigns:list"),
        campaign.get_absolute_url(),
        reverse("campaigns:privacy", kwargs={"slug": campaign.slug}),
        reverse("signatures:thanks", kwargs={"slug": campaign.slug}),
        reverse("signatures:confirm", kwargs={"pk": signature.pk, "token": confirm_token(signature)}),
        reverse("signatures:withdraw", kwargs={"pk": signature.pk, "token": manage_token(signature)}),
        reverse("admin:login"),
    ]


def test_it_allows_only_our_own_origin_and_no_framing_on_every_page(client):
    campaign = make_campaign()
    for url in public_pages(campaign):
        response = client.get(url)
        assert response.status_code == 200, url
        policy = directives(response)
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"]
        assert policy["style-src"] == ["'self'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["object-src"] == ["'none'"]
        assert not any("google" in source for sources in policy.values() for source in sources), url
        assert response["X-Frame-Options"] == "DENY"


def test_it_sets_the_policy_on_errors_too(client):
    response = client.get("/en/no-such-petition/")

    assert response.status_code == 404
    assert directives(response)["default-src"] == ["'self'"]


def test_it_lets_recaptcha_load_on_the_sign_step_when_enabled(client, recaptcha_on):
    campaign = make_campaign()

    page = client.get(campaign.get_absolute_url())
    invalid = client.post(reverse("signatures:sign", kwargs={"slug": campaign.slug}), {"first_name": "Ada"})

    for response in (page, invalid):
        policy = directives(response)
        assert policy["script-src"] == ["'self'", *RECAPTCHA_ORIGINS]
        assert policy["frame-src"] == list(RECAPTCHA_ORIGINS)
        assert policy["default-src"] == ["'self'"]
        assert policy["frame-ancestors"] == ["'none'"]
    assert invalid.status_code == 400


def test_it_keeps_recaptcha_out_of_every_other_page_when_enabled(client, recaptcha_on):
    campaign = make_campaign()
    for url in public_pages(campaign):
        if url == campaign.get_absolute_url():
            continue
        policy = directives(client.get(url))
        assert policy["script-src"] == ["'self'"], url


def test_it_renders_recaptcha_without_inline_script_which_the_policy_would_block(client, recaptcha_on):
    campaign = make_campaign()

    html = client.get(campaign.get_absolute_url()).content.decode()

    scripts = [
        (attributes, body)
        for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
        # A JSON data block is never executed, so the policy has nothing to block there.
        if 'type="application/json"' not in attributes
    ]
    assert scripts, "no reCAPTCHA script on the sign page"
    assert all("src=" in attributes and not body.strip() for attributes, body in scripts)
    assert "https://www.google.com/recaptcha/api.js?render=site-key-for-tests" in html
    assert "/static/js/recaptcha-v3.js" in html
    assert 'data-action="sign"' in html


def test_it_leaves_recaptcha_out_of_the_policy_when_it_is_not_configured(client):
    campaign = make_campaign()

    policy = directives(client.get(campaign.get_absolute_url()))

    assert policy["script-src"] == ["'self'"]
    assert policy["frame-src"] == ["'none'"]


def framed_view(request):
    return allow_framing(HttpResponse("embed"), ["https://partner.example", "https://other.example"])


@frame_ancestors("https://partner.example")
def decorated_view(request):
    return HttpResponse("embed")


@pytest.mark.parametrize(
    ("view", "ancestors"),
    [
        (framed_view, ["https://partner.example", "https://other.example"]),
        (decorated_view, ["https://partner.example"]),
    ],
)
def test_it_lets_a_view_that_asks_be_framed_by_the_origins_it_names(view, ancestors):
    from django.middleware.clickjacking import XFrameOptionsMiddleware

    middleware = XFrameOptionsMiddleware(ContentSecurityPolicyMiddleware(view))

    response = middleware(RequestFactory().get("/embed/"))

    assert directives(response)["frame-ancestors"] == ancestors
    assert "X-Frame-Options" not in response


def test_it_gives_each_signature_and_purpose_a_long_random_token():
    campaign = make_campaign()
    signatures = [make_signature(campaign) for _ in range(20)]
    tokens = {links.token_for(signature, purpose) for signature in signatures for purpose in links.PURPOSES}

    assert len(tokens) == 20 * len(links.PURPOSES)
    assert all(len(token) >= 43 and re.fullmatch(r"[A-Za-z0-9_-]+", token) for token in tokens)
    assert Signature.objects.count() == 20
