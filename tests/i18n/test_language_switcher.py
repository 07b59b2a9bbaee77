"""The footer's language switcher: every official language, each a link to this page in it, the current one marked."""

import re

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.utils import translation

from campaigns.templatetags.petition_tags import language_list
from tests.factories import make_campaign

pytestmark = pytest.mark.django_db


def switcher(page: str) -> str:
    start = page.index('<details class="language-switcher">')
    return page[start : page.index("</details>", start)]


def test_it_links_this_page_in_every_language_and_marks_the_current_one(client):
    campaign = make_campaign(slug="ban-face-recognition")

    items = switcher(client.get("/de/ban-face-recognition/thanks/").text)

    links = re.findall(r'<li><a href="([^"]+)" lang="([^"]+)" hreflang="\2"( aria-current="true")?>([^<]+)</a></li>', items)
    assert [code for _, code, _, _ in links] == [code for code, _ in settings.LANGUAGES]
    assert all(href == f"/{code}/{campaign.slug}/thanks/" for href, code, _, _ in links)
    assert [code for _, code, current, _ in links if current] == ["de"]
    assert ("/de/ban-face-recognition/thanks/", "de", ' aria-current="true"', "Deutsch") in links


def test_it_escapes_what_it_puts_in_the_links():
    # A page answering a POST links its GET address, which the view passes as page_path.
    context = {"request": RequestFactory().post("/en/x/"), "page_path": '/en/"><script>/'}

    with translation.override("en"):
        items = language_list(context)

    assert "<script>" not in items and '/fr/&quot;&gt;&lt;script&gt;/"' in items
