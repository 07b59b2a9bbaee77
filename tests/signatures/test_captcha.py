from unittest import mock

import pytest
from django.urls import reverse
from django_recaptcha.client import RecaptchaResponse

from signatures.models import Signature
from tests.factories import make_campaign, sign_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def captcha_on(settings):
    settings.RECAPTCHA_ENABLED = True
    settings.RECAPTCHA_PUBLIC_KEY = "public-key-for-tests"
    settings.RECAPTCHA_PRIVATE_KEY = "private-key-for-tests"
    settings.RECAPTCHA_VERSION = "v2"
    return settings


def test_without_keys_the_form_has_no_captcha(client):
    campaign = make_campaign()
    html = client.get(campaign.get_absolute_url()).content.decode()
    assert "g-recaptcha" not in html and "google.com" not in html


def test_with_keys_the_form_shows_the_captcha(client, captcha_on):
    campaign = make_campaign()
    html = client.get(campaign.get_absolute_url()).content.decode()
    assert "g-recaptcha" in html


def test_with_keys_a_passing_captcha_signs(client, captcha_on):
    campaign = make_campaign()
    with mock.patch("django_recaptcha.fields.client.submit", return_value=RecaptchaResponse(is_valid=True)) as submit:
        response = client.post(
            reverse("signatures:sign", kwargs={"slug": campaign.slug}), sign_data(**{"g-recaptcha-response": "ok"})
        )
    assert submit.called
    assert response.status_code == 302
    assert Signature.objects.count() == 1


def test_with_keys_a_failing_captcha_is_refused_with_a_message(client, captcha_on):
    campaign = make_campaign()
    failed = RecaptchaResponse(is_valid=False, error_codes=["invalid-input-response"])
    with mock.patch("django_recaptcha.fields.client.submit", return_value=failed):
        response = client.post(
            reverse("signatures:sign", kwargs={"slug": campaign.slug}), sign_data(**{"g-recaptcha-response": "bad"})
        )
    assert response.status_code == 400
    assert 'id="id_captcha_error"' in response.content.decode()
    assert Signature.objects.count() == 0
