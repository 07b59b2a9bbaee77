from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile

from campaigns.models import CampaignTranslation
from campaigns.sharing import share_links
from tests.factories import make_campaign

pytestmark = pytest.mark.django_db


def test_it_offers_plain_share_links_for_each_network(settings):
    settings.SITE_URL = "https://petition.example.org"
    campaign = make_campaign(slug="ban-it", title="Ban it")

    links = {link.network: link.href for link in share_links(campaign)}

    url = "https://petition.example.org/en/ban-it/"
    assert list(links) == ["email", "whatsapp", "telegram", "mastodon", "bluesky", "x", "facebook", "linkedin"]
    assert links["email"].startswith("mailto:?subject=Ban%20it&body=")
    assert url in parse_qs(urlsplit(links["whatsapp"]).query)["text"][0]
    assert parse_qs(urlsplit(links["telegram"]).query)["url"] == [url]
    assert links["mastodon"] == "/en/ban-it/share/mastodon/"
    assert links["bluesky"].startswith("https://bsky.app/intent/compose?text=")
    assert parse_qs(urlsplit(links["x"]).query)["url"] == [url]
    assert parse_qs(urlsplit(links["facebook"]).query)["u"] == [url]
    assert parse_qs(urlsplit(links["linkedin"]).query)["url"] == [url]


def test_it_puts_open_graph_and_twitter_card_meta_on_the_petition(client, settings):
    settings.SITE_URL = "https://petition.example.org"
    campaign = make_campaign(slug="ban-it", title="Ban it", summary="No cameras that know us.")

    page = client.get("/en/ban-it/").text

    assert '<meta property="og:title" content="Ban it">' in page
    assert '<meta property="og:description" content="No cameras that know us.">' in page
    assert '<meta property="og:url" content="https://petition.example.org/en/ban-it/">' in page
    assert '<meta property="og:image" content="https://petition.example.org/static/img/share-default.png">' in page
    assert '<meta property="og:locale" content="en_GB">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    assert '<link rel="alternate" hreflang="de" href="https://petition.example.org/de/ban-it/">' in page
    assert campaign.slug in page


def test_it_uses_the_campaigns_own_image_and_serves_it(client, settings, tmp_path):
    settings.SITE_URL = "https://petition.example.org"
    settings.MEDIA_ROOT = tmp_path
    campaign = make_campaign(slug="with-picture")
    campaign.image.save("faces.png", ContentFile(b"\x89PNG\r\n\x1a\nnot really"))

    page = client.get("/en/with-picture/").text
    image = client.get("/campaign-images/with-picture/")

    assert 'content="https://petition.example.org/campaign-images/with-picture/?v=' in page
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    assert b"".join(image.streaming_content).startswith(b"\x89PNG")
    assert client.get(f"/campaign-images/{make_campaign().slug}/").status_code == 404


def test_it_shares_the_translated_title_in_the_pages_language(client):
    campaign = make_campaign(slug="ban-it", title="Ban it")
    CampaignTranslation.objects.create(campaign=campaign, language="fr", title="Interdisons-la")

    page = client.get("/fr/ban-it/").text

    assert '<meta property="og:title" content="Interdisons-la">' in page
    assert "Interdisons-la" in parse_qs(urlsplit(_href(page, "bsky.app")).query)["text"][0]


def test_it_invites_sharing_on_the_check_your_inbox_page(client):
    campaign = make_campaign()
    page = client.get(f"/en/{campaign.slug}/thanks/").text
    assert "Help the petition grow" in page
    for network in ("wa.me", "t.me", "share/mastodon", "bsky.app", "x.com", "facebook.com", "linkedin.com"):
        assert network in page


def test_it_loads_no_third_party_script_on_public_pages(client):
    campaign = make_campaign()
    for path in (f"/en/{campaign.slug}/", f"/en/{campaign.slug}/thanks/", "/en/"):
        page = client.get(path).text
        assert "<script src=\"http" not in page and "<iframe" not in page


def _href(page: str, host: str) -> str:
    import html
    import re

    return html.unescape(re.search(rf'href="(https://{re.escape(host)}[^"]+)"', page).group(1))
