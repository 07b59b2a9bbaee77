"""A public page's address keeps only the attribution its link carries: fbclid, cache busters and junk change nothing.

They would otherwise miss the page cache on every click (a render and a
write each) and come back 24 times in the page's language links.
"""

import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from campaigns.models import Campaign
from petition.attribution import page_address
from petition.httpcache import LOCAL_PAGES
from signatures.links import confirm_path
from tests.factories import make_campaign, make_organisation, make_signature

pytestmark = pytest.mark.django_db

LANGUAGE_LINK = re.compile(r'<a href="([^"]+)" lang="[a-z-]+" hreflang=')


def language_links(response) -> list[str]:
    links = [unescape(href) for href in LANGUAGE_LINK.findall(response.content.decode())]
    assert len(links) == 24
    return links


@pytest.mark.parametrize(
    "query, address",
    [
        ("", "/en/p/"),
        ("fbclid=IwAR0abc&gclid=xyz&_=1733412345", "/en/p/"),
        ("utm_campaign=spring&fbclid=1&via=friends&utm_source=news", "/en/p/?via=friends&utm_source=news&utm_campaign=spring"),
        ("via=a&via=b", "/en/p/?via=b"),  # as request.GET.get reads it, and so the page
        ("via=" + "x" * 500, "/en/p/?via=" + "x" * 80),
        ("utm_source=%E2%80%AEevil%0Aline%E2%80%8B", "/en/p/?utm_source=evil+line"),
        ("utm_source=+++&via=", "/en/p/"),
    ],
)
def test_the_address_keeps_only_the_cleaned_attribution_in_one_order(query, address):
    assert page_address(RequestFactory().get("/en/p/", QUERY_STRING=query)) == address


def test_the_path_stays_percent_encoded():
    request = RequestFactory().get("/en/caf%C3%A9%20x/", QUERY_STRING="fbclid=1")

    assert page_address(request) == "/en/caf%C3%A9%20x/"


def test_clicks_with_different_tracking_ids_share_one_cached_page(client, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 5
    campaign = make_campaign(title="Before")
    first = client.get(campaign.get_absolute_url() + "?fbclid=click-1")
    Campaign.objects.filter(pk=campaign.pk).update(title="After")

    with CaptureQueriesContext(connection) as queries:
        pages = [client.get(f"{campaign.get_absolute_url()}?fbclid=click-{n}&gclid={n}") for n in range(2, 40)]

    assert len(queries) == 0
    assert all(page.content == first.content for page in pages)
    assert len(LOCAL_PAGES) == 1


def test_a_page_still_differs_by_the_partner_that_referred_the_visitor(client, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 5
    campaign = make_campaign()
    partner = make_organisation(slug="friends-of-privacy", name="Friends of Privacy")
    campaign.partners.add(partner)

    plain = client.get(campaign.get_absolute_url() + "?fbclid=1")
    referred = client.get(campaign.get_absolute_url() + "?via=friends-of-privacy&fbclid=2")

    assert b"friends-of-privacy" not in plain.content
    assert b'value="friends-of-privacy"' in referred.content


def test_language_links_carry_the_attribution_and_nothing_else(client):
    campaign = make_campaign()
    query = "via=friends&fbclid=IwAR0abc&utm_source=news%E2%80%AE&utm_campaign=spring&junk=%3Cscript%3E"

    links = language_links(client.get(f"{campaign.get_absolute_url()}?{query}"))

    for link in links:
        address = urlsplit(link)
        assert dict(parse_qsl(address.query)) == {"via": "friends", "utm_source": "news", "utm_campaign": "spring"}
    assert f"/de/{campaign.slug}/?via=friends&utm_source=news&utm_campaign=spring" in links


def test_a_long_junk_query_does_not_make_the_page_longer(client):
    campaign = make_campaign()
    plain = client.get(campaign.get_absolute_url())

    padded = client.get(campaign.get_absolute_url() + "?fbclid=" + "A" * 7000 + "&utm_source=" + "B" * 7000)

    assert padded.status_code == 200
    # The utm_source is cut to 100 characters, in each of the 24 links and the form's hidden field.
    assert len(padded.content) - len(plain.content) < 25 * (len("&utm_source=") + 100)


def test_the_confirmation_page_links_drop_what_a_mail_scanner_appended(client):
    campaign = make_campaign()
    signature = make_signature(campaign)
    path = confirm_path(signature)

    links = language_links(client.get(path + "?utm_medium=email&scanner=abc123&fbclid=x"))

    assert all("?" not in link and link.endswith(path[3:]) for link in links)


def test_alternate_language_addresses_for_search_engines_carry_no_query(client):
    campaign = make_campaign()

    page = client.get(f"{campaign.get_absolute_url()}?via=friends&utm_source=news&fbclid=1").content.decode()

    alternates = re.findall(r'<link rel="alternate" hreflang="([a-z-]+)" href="([^"]+)">', page)
    assert len(alternates) == 24
    assert ("de", f"http://testserver/de/{campaign.slug}/") in alternates
    assert all("?" not in href for _, href in alternates)


@pytest.mark.parametrize("path", ["//evil.example", "//evil.example/", "///evil.example/x"])
def test_a_not_found_pages_language_links_stay_on_this_site(client, path):
    # The 404 page links to its own address in each language: "//evil.example" there is another site.
    response = client.get("/", PATH_INFO=path)  # the test client would read "//evil.example" as a host

    assert response.status_code == 404
    assert all(link.startswith("/") and not link.startswith("//") for link in language_links(response))
