"""Each public address answers the methods it serves; any other gets a 405 naming them, never a rendered page.

OPTIONS and TRACE used to render the petition page in full, past the page
cache (which keeps GET and HEAD only): a loop of them cost a render each.
"""

import pytest
from django.urls import reverse

from campaigns.models import Campaign
from signatures.links import confirm_path, manage_path, unsubscribe_path
from tests.factories import make_campaign, make_organisation, make_signature

pytestmark = pytest.mark.django_db

OTHER_METHODS = ["OPTIONS", "TRACE", "PUT", "PATCH", "DELETE", "POST", "PROPFIND", "CONNECT"]


@pytest.fixture
def campaign() -> Campaign:
    campaign = make_campaign()
    campaign.partners.add(make_organisation(slug="friends"))
    return campaign


def page_addresses(campaign: Campaign) -> list[str]:
    slug = campaign.slug
    return [
        "/en/",
        f"/en/{slug}/",
        f"/en/{slug}/thanks/",
        f"/en/{slug}/embed/",
        f"/en/{slug}/embed/thanks/",
        f"/en/{slug}/privacy/",
        f"/en/{slug}/via/friends/",
        f"/en/{slug}/share/mastodon/",
    ]


def request(client, method: str, path: str):
    return client.generic(method, path, HTTP_ORIGIN="http://testserver", HTTP_SEC_FETCH_SITE="same-origin")


@pytest.mark.parametrize("method", OTHER_METHODS)
def test_a_page_refuses_other_methods_with_405_and_what_it_allows(client, campaign, method):
    for path in page_addresses(campaign):
        response = request(client, method, path)

        assert response.status_code == 405, (method, path)
        assert response["Allow"] == "GET, HEAD"
        assert response.content == b""


def test_every_page_still_answers_get_and_head(client, campaign):
    for path in page_addresses(campaign):
        assert client.get(path).status_code in (200, 302), path
        head = client.head(path)
        assert head.status_code in (200, 302) and head.content == b"", path


def test_the_sign_address_takes_only_a_post(client, campaign):
    for method in ["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]:
        response = request(client, method, reverse("signatures:sign", kwargs={"slug": campaign.slug}))

        assert response.status_code == 405 and response["Allow"] == "POST", method


@pytest.mark.parametrize("make_path", [confirm_path, manage_path, unsubscribe_path])
@pytest.mark.parametrize("method", ["OPTIONS", "TRACE", "PUT", "DELETE"])
def test_an_emailed_link_takes_get_head_and_post_only(client, campaign, make_path, method):
    path = make_path(make_signature(campaign))

    response = request(client, method, path)

    assert response.status_code == 405 and response["Allow"] == "GET, HEAD, POST"
