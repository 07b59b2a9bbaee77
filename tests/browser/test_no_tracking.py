"""Public pages load nothing from anyone else: no analytics, fonts, CDNs or share buttons.

The one exception is reCAPTCHA, when it is configured, and then only where
the form is (the sign step).
"""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from signatures.links import confirm_path, manage_path
from tests.browser.helpers import fill_sign_form
from tests.factories import make_campaign, make_organisation, make_signature

RECAPTCHA_ORIGINS = {"https://www.google.com", "https://www.gstatic.com", "https://www.recaptcha.net"}


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class RequestLog:
    """Every request the page makes; those leaving our origin are recorded, then aborted."""

    def __init__(self, page: Page, site: str):
        self.site = site
        self.origins_by_page: dict[str, set[str]] = {}
        self.current = "start"
        page.route("**/*", self.route)

    def route(self, route):
        url = route.request.url
        self.origins_by_page.setdefault(self.current, set()).add(origin(url))
        if origin(url) == self.site:
            route.continue_()
        else:
            route.abort()

    def visiting(self, name: str) -> None:
        self.current = name

    def foreign(self, name: str) -> set[str]:
        return self.origins_by_page.get(name, set()) - {self.site}


@pytest.fixture
def public_pages(page: Page, site):
    """Walk every public page a signer sees, logging requests per page."""
    log = RequestLog(page, site)
    partner = make_organisation()
    campaign = make_campaign()
    campaign.partners.add(partner)
    petition = f"{site}/en/{campaign.slug}/"

    def walk():
        log.visiting("list")
        page.goto(f"{site}/en/")
        log.visiting("petition")
        page.goto(petition)
        expect(page.get_by_role("button", name="Sign")).to_be_visible()
        log.visiting("thanks")
        page.goto(f"{petition}thanks/")
        signature = make_signature(campaign)
        log.visiting("confirmed")
        page.goto(site + confirm_path(signature))
        page.get_by_role("button", name="Confirm my signature").click()
        log.visiting("withdraw")
        page.goto(site + manage_path(signature))
        log.visiting("share")
        page.goto(f"{petition}share/mastodon/?server=mastodon.social")
        log.visiting("not found")
        page.goto(f"{site}/en/no-such-petition/")
        log.visiting("embed")
        page.goto(f"{petition}embed/?via={partner.slug}")
        expect(page.get_by_role("button", name="Sign")).to_be_visible()
        page.wait_for_load_state("networkidle")
        return log

    return walk


def test_it_requests_nothing_from_other_origins(public_pages, page, site):
    log = public_pages()
    assert set(log.origins_by_page) >= {"list", "petition", "thanks", "confirmed", "withdraw", "share", "embed"}
    assert {name: log.foreign(name) for name in log.origins_by_page if log.foreign(name)} == {}


def test_it_signs_through_the_whole_flow_without_other_origins(page: Page, site):
    log = RequestLog(page, site)
    campaign = make_campaign()
    page.goto(f"{site}/en/{campaign.slug}/")
    fill_sign_form(page, email="private@example.org")
    page.get_by_role("button", name="Sign").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    assert log.foreign("start") == set()


def test_it_loads_recaptcha_only_on_the_sign_step(public_pages, settings):
    settings.RECAPTCHA_ENABLED = True
    settings.RECAPTCHA_PUBLIC_KEY = "public-key-for-tests"
    settings.RECAPTCHA_PRIVATE_KEY = "private-key-for-tests"
    log = public_pages()
    assert log.foreign("petition"), "the sign step should load reCAPTCHA when it is configured"
    assert log.foreign("petition") <= RECAPTCHA_ORIGINS
    assert log.foreign("embed") <= RECAPTCHA_ORIGINS
    sign_steps = {"petition", "embed"}
    assert {name: log.foreign(name) for name in log.origins_by_page if name not in sign_steps} == {
        name: set() for name in log.origins_by_page if name not in sign_steps
    }
