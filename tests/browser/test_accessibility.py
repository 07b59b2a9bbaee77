"""axe-core finds no serious or critical problem on any public page, in any state."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from campaigns.models import Campaign
from signatures.links import confirm_path, manage_path
from tests.browser.helpers import axe_violations, fill_sign_form
from tests.factories import make_campaign, make_organisation, make_signature


def petition(page, site):
    campaign = make_campaign()
    page.goto(f"{site}/en/{campaign.slug}/")


def petition_with_eci_thresholds(page, site):
    campaign = make_campaign(eci_thresholds=True, signature_count=1500)
    page.goto(f"{site}/en/{campaign.slug}/")
    page.locator(".eci summary").click()


def petition_in_german(page, site):
    campaign = make_campaign()
    page.goto(f"{site}/de/{campaign.slug}/")


def form_with_errors(page, site):
    campaign = make_campaign()
    page.goto(f"{site}/en/{campaign.slug}/")
    page.get_by_label("Email address").fill("not-an-address")
    page.get_by_role("button", name="Sign").click()
    expect(page.get_by_role("alert")).to_be_visible()


def check_your_inbox(page, site):
    campaign = make_campaign()
    page.goto(f"{site}/en/{campaign.slug}/")
    fill_sign_form(page, email="axe@example.org")
    page.get_by_role("button", name="Sign").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")


def confirmed(page, site):
    signature = make_signature(make_campaign())
    page.goto(site + confirm_path(signature))
    page.get_by_role("button", name="Confirm my signature").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("confirmed")


def closed(page, site):
    campaign = make_campaign(status=Campaign.Status.CLOSED, closed_at=timezone.now())
    page.goto(f"{site}/en/{campaign.slug}/")
    expect(page.get_by_role("heading", name="This petition is closed")).to_be_visible()


def not_yet_open(page, site):
    campaign = make_campaign(opens_at=timezone.now() + timezone.timedelta(days=3))
    page.goto(f"{site}/en/{campaign.slug}/")
    expect(page.get_by_role("heading", name="Not open yet")).to_be_visible()


def not_found(page, site):
    response = page.goto(f"{site}/en/no-such-petition/")
    assert response.status == 404


def too_many_attempts(page, site, settings):
    settings.SIGN_RATE_BURST = "1/m"
    campaign = make_campaign()
    for n in range(2):
        page.goto(f"{site}/en/{campaign.slug}/")
        fill_sign_form(page, email=f"busy{n}@example.org")
        page.get_by_role("button", name="Sign").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Too many attempts")


def withdraw(page, site):
    signature = make_signature(make_campaign())
    page.goto(site + manage_path(signature))
    expect(page.get_by_role("button", name="Withdraw my signature and erase my data")).to_be_visible()


def withdrawn(page, site):
    signature = make_signature(make_campaign())
    page.goto(site + manage_path(signature))
    page.get_by_role("button", name="Withdraw my signature and erase my data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your signature has been withdrawn")


def campaign_list(page, site):
    make_campaign(title="First petition")
    make_campaign(title="Second petition", status=Campaign.Status.CLOSED)
    page.goto(f"{site}/en/")


def mastodon_share(page, site):
    campaign = make_campaign()
    page.goto(f"{site}/en/{campaign.slug}/share/mastodon/?server=not%20a%20server")


def embed(page, site):
    partner = make_organisation(website="https://partner.example.org/")
    campaign = make_campaign()
    campaign.partners.add(partner)
    page.goto(f"{site}/en/{campaign.slug}/embed/?via={partner.slug}")


PAGES = [
    petition,
    petition_with_eci_thresholds,
    petition_in_german,
    form_with_errors,
    check_your_inbox,
    confirmed,
    closed,
    not_yet_open,
    not_found,
    too_many_attempts,
    withdraw,
    withdrawn,
    campaign_list,
    mastodon_share,
    embed,
]


@pytest.mark.parametrize("open_page", PAGES, ids=[p.__name__ for p in PAGES])
def test_it_has_no_serious_accessibility_problems(page: Page, site, settings, axe_source, open_page):
    if open_page is too_many_attempts:
        open_page(page, site, settings)
    else:
        open_page(page, site)
    assert page.evaluate("() => document.documentElement.lang")
    assert axe_violations(page, axe_source) == []
