"""Whatever is asked of the JSON API, the answer is JSON, a 304 or a plain 4xx, never a 500."""

from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import make_campaign

from .hostile import hostile_text

pytestmark = pytest.mark.django_db

as_header = hostile_text.map(lambda text: text.encode("utf-8").decode("latin-1"))


@pytest.fixture
def campaign():
    return make_campaign(slug="ban-biometric-surveillance")


# The API builds its cache key from the slug before knowing it is too long for
# any campaign (slugs have at most 80 characters); Redis takes such keys.
@pytest.mark.filterwarnings("ignore::django.core.cache.backends.base.CacheKeyWarning")
@given(slug=hostile_text, query=hostile_text)
def test_it_answers_any_campaign_address_with_json_or_404(client, campaign, slug, query):
    for path in (f"/api/campaigns/{quote(slug, safe='')}/", f"/api/campaigns/{campaign.slug}/"):
        response = client.get(f"{path}?{quote(query, safe='=&')}")
        assert response.status_code in (200, 404), response.status_code
        if response["Content-Type"] == "application/json":
            response.json()


@given(etag=as_header, since=as_header, origin=as_header)
def test_it_answers_any_conditional_and_cors_headers(client, campaign, etag, since, origin):
    for path in ("/api/campaigns/", f"/api/campaigns/{campaign.slug}/"):
        response = client.get(path, HTTP_IF_NONE_MATCH=etag, HTTP_IF_MODIFIED_SINCE=since, HTTP_ORIGIN=origin)
        assert response.status_code in (200, 304), response.status_code
        if response.status_code == 200:
            assert "signature_count" in response.content.decode()


@given(
    method=st.sampled_from(["POST", "PUT", "PATCH", "DELETE", "TRACE"]),
    content_type=st.sampled_from(["application/json", "application/x-www-form-urlencoded", "text/plain", ""]),
    body=st.binary(max_size=3000),
)
def test_it_refuses_writes_of_any_kind_with_405(campaign, method, content_type, body):
    for client in (Client(), Client(enforce_csrf_checks=True)):
        for path in ("/api/campaigns/", f"/api/campaigns/{campaign.slug}/"):
            response = client.generic(method, path, body, content_type=content_type)
            assert response.status_code in (403, 405), (method, response.status_code)
