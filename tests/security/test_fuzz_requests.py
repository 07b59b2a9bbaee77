"""Wrong methods, wrong content types and huge bodies get a plain 4xx, never a 500."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from signatures.models import Signature
from tests.factories import make_campaign, sign_data

from .hostile import hostile_text

pytestmark = pytest.mark.django_db

CONTENT_TYPES = [
    "application/json",
    "text/plain",
    "application/xml",
    "multipart/form-data",
    "multipart/form-data; boundary=",
    "multipart/form-data; boundary=xyz",
    "application/x-www-form-urlencoded; charset=utf-16",
    "application/x-www-form-urlencoded; charset=nonsense",
    "application/octet-stream",
    "",
]


@pytest.fixture
def campaign(settings):
    settings.RATELIMIT_ENABLE = False
    return make_campaign()


def sign_url(campaign) -> str:
    return reverse("signatures:sign", kwargs={"slug": campaign.slug})


raw_bodies = st.one_of(hostile_text.map(lambda text: text.encode("utf-8")), st.binary(max_size=2000))


@given(content_type=st.sampled_from(CONTENT_TYPES), body=raw_bodies)
def test_it_answers_any_body_in_any_content_type_with_a_4xx_or_the_form(campaign, content_type, body):
    for client in (Client(), Client(enforce_csrf_checks=True)):
        # generic() sends the bytes as they are, whatever the declared charset.
        response = client.generic("POST", sign_url(campaign), body, content_type=content_type)
        assert response.status_code in (302, 400, 403), (content_type, response.status_code)
    assert not Signature.objects.exists()


@given(method=st.sampled_from(["get", "put", "patch", "delete", "options", "trace"]))
def test_it_answers_other_methods_on_the_sign_address_with_405(client, campaign, method):
    response = getattr(client, method)(sign_url(campaign))

    assert response.status_code == 405
    assert "POST" in response["Allow"]


@given(method=st.sampled_from(["post", "put", "patch", "delete", "trace"]))
def test_it_answers_writes_to_the_health_check_with_405(client, method):
    assert getattr(client, method)("/healthz").status_code == 405


def test_it_refuses_a_huge_body_with_400(client, campaign, settings):
    body = "first_name=" + "A" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    response = client.post(sign_url(campaign), body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400
    assert not Signature.objects.exists()


def test_it_refuses_a_huge_multipart_field_with_400(client, campaign, settings):
    response = client.post(sign_url(campaign), {**sign_data(), "first_name": "A" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})

    assert response.status_code == 400
    assert not Signature.objects.exists()


def test_it_refuses_too_many_fields_with_400(client, campaign, settings):
    body = "&".join(f"f{n}=x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))

    response = client.post(sign_url(campaign), body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400


def test_it_answers_a_json_signature_with_the_form_and_its_errors(client, campaign):
    response = client.post(sign_url(campaign), json.dumps(sign_data()), content_type="application/json")

    assert response.status_code == 400
    assert "Please enter your first name." in response.content.decode()


@pytest.mark.parametrize(
    "page",
    ["/", "/en/", "/en/{slug}/", "/en/{slug}/thanks/", "/en/s/confirm/1/token/", "/en/nothing/here/", "/anymail/x/",
     "/api/openapi.json", "/admin/login/"],
)  # fmt: skip
def test_a_query_of_too_many_fields_gets_a_page_with_its_language_links_never_a_500(client, campaign, settings, page):
    # Each error page's language links carry the link's attribution, read from the query: reading
    # it again inside the error handler (400 or 404) raised again, and the page became a 500.
    settings.PUBLIC_PAGE_CACHE_SECONDS = 5
    query = "&".join(f"f{n}=x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))

    response = client.get(page.format(slug=campaign.slug) + "?" + query)

    assert response.status_code in (200, 302, 400, 404)
    if response.status_code != 302:  # "/" sends the visitor to a language
        assert 'hreflang="de"' in response.content.decode()
