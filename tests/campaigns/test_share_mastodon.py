from urllib.parse import parse_qs, urlsplit

import pytest

from tests.factories import make_campaign

pytestmark = pytest.mark.django_db


def share_page(client, campaign, server=None):
    query = {"server": server} if server is not None else {}
    return client.get(f"/en/{campaign.slug}/share/mastodon/", query)


def test_it_asks_for_the_server_first(client):
    response = share_page(client, make_campaign())
    assert response.status_code == 200
    assert 'name="server"' in response.text


@pytest.mark.parametrize(
    "typed", ["mastodon.social", "https://Mastodon.Social/", "@ada@mastodon.social", "ada@mastodon.social"]
)
def test_it_links_to_the_share_page_of_the_server_typed_in_any_usual_shape(client, typed):
    campaign = make_campaign(title="Ban it")
    response = share_page(client, campaign, typed)
    assert response.status_code == 200
    href = response.context["share_url"]
    parts = urlsplit(href)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "mastodon.social", "/share")
    assert f"/en/{campaign.slug}/" in parse_qs(parts.query)["text"][0]


@pytest.mark.parametrize("typed", ["", "not a server", "javascript:alert(1)", "localhost", "a" * 300, "exa mple.org"])
def test_it_explains_what_is_wrong_with_a_server_it_cannot_use(client, typed):
    response = share_page(client, make_campaign(), typed)
    assert response.status_code == 400
    assert response.context["share_url"] is None
    assert 'aria-invalid="true"' in response.text


def test_it_never_redirects_anywhere(client):
    response = share_page(client, make_campaign(), "evil.example")
    assert response.status_code == 200
    assert "Location" not in response
