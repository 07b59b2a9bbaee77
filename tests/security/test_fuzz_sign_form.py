"""Whatever is posted to the sign form, the answer is a redirect or a clear 400, never a 500."""

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from signatures.forms import SignatureForm
from tests.factories import make_campaign, sign_data

from .hostile import hostile_text

pytestmark = pytest.mark.django_db

FIELDS = [
    "first_name", "last_name", "email", "country", "postcode", "contact_consent", "accept_privacy",
    "via", "utm_source", "utm_campaign", "website",
]


@pytest.fixture
def campaign(settings):
    settings.RATELIMIT_ENABLE = False
    return make_campaign()


def sign_url(campaign) -> str:
    return reverse("signatures:sign", kwargs={"slug": campaign.slug})


def assert_clear_answer(response, malformed_request_possible: bool = False) -> None:
    """A redirect to the thank-you page, or the form again with its errors listed.

    A request Django cannot even parse (a field name breaking the multipart
    encoding) may instead get the plain 400 page.
    """
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 400:
        page = response.content.decode()
        assert 'class="error-summary"' in page or (malformed_request_possible and "Bad request" in page)


@given(fields=st.dictionaries(st.sampled_from(FIELDS), hostile_text))
def test_it_answers_any_set_of_hostile_fields_clearly(client, campaign, fields):
    assert_clear_answer(client.post(sign_url(campaign), fields))


@given(field=st.sampled_from(FIELDS), value=hostile_text)
def test_it_answers_one_hostile_field_in_an_otherwise_valid_form_clearly(client, campaign, field, value):
    response = client.post(sign_url(campaign), sign_data(**{field: value}))

    assert_clear_answer(response)
    if response.status_code == 400:
        form = SignatureForm(sign_data(**{field: value}))
        assert not form.is_valid()
        assert field in form.errors or "postcode" in form.errors


@given(
    extra=st.dictionaries(hostile_text.filter(bool), hostile_text, max_size=5),
    forwarded=hostile_text,
    language=hostile_text,
)
def test_it_survives_unknown_fields_and_hostile_headers(client, campaign, settings, extra, forwarded, language):
    settings.TRUSTED_PROXIES = ["127.0.0.0/8"]
    response = client.post(
        sign_url(campaign),
        {**extra, **sign_data()},
        HTTP_X_FORWARDED_FOR=forwarded.encode("utf-8", "surrogatepass").decode("latin-1"),
        HTTP_ACCEPT_LANGUAGE=language.encode("utf-8").decode("latin-1"),
    )
    assert_clear_answer(response, malformed_request_possible=True)


@given(values=st.lists(hostile_text, min_size=2, max_size=4))
def test_it_answers_repeated_fields_clearly(client, campaign, values):
    assert_clear_answer(client.post(sign_url(campaign), {"first_name": values, "email": values}))


def test_it_rejects_a_nul_byte_with_a_message_next_to_the_field(client, campaign):
    response = client.post(sign_url(campaign), sign_data(first_name="Ada\x00"))

    assert response.status_code == 400
    assert "id_first_name_error" in response.content.decode()


def test_it_rejects_right_to_left_overrides_in_names(client, campaign):
    response = client.post(sign_url(campaign), sign_data(last_name="\u202eecalevol"))

    assert response.status_code == 400
    assert "hidden characters" in response.content.decode()


def test_it_refuses_a_post_from_another_site_with_a_plain_403():
    campaign = make_campaign()

    response = Client(enforce_csrf_checks=True).post(
        sign_url(campaign), sign_data(), HTTP_ORIGIN="https://elsewhere.example"
    )

    assert response.status_code == 403
