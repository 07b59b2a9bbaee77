"""The petition page's count climbs in a real browser without a reload."""

import os

import pytest
from playwright.sync_api import expect

from signatures import fold
from tests.factories import make_campaign, make_signature

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium"}


@pytest.fixture
def counted_campaign(settings):
    settings.COUNT_POLL_SECONDS = 1
    campaign = make_campaign(goal=100)
    for _ in range(3):
        make_signature(campaign, status="confirmed")
    fold.fold_counts(campaign.pk)
    return campaign


def confirm_one_more(campaign):
    make_signature(campaign, status="confirmed")
    fold.fold_counts(campaign.pk)


@pytest.mark.parametrize("reduced_motion", ["no-preference", "reduce"])
def test_the_count_refreshes_from_the_api(browser, live_server, counted_campaign, reduced_motion):
    context = browser.new_context(reduced_motion=reduced_motion)
    page = context.new_page()
    api_calls = []
    page.on("request", lambda request: "/api/campaigns/" in request.url and api_calls.append(request.url))

    page.goto(live_server.url + counted_campaign.get_absolute_url())
    count = page.locator("[data-count]")
    expect(count).to_have_text("3")

    confirm_one_more(counted_campaign)

    expect(count).to_have_text("4", timeout=15_000)
    expect(page.locator("progress")).to_have_attribute("value", "4")
    assert api_calls and all(url.endswith(f"/api/campaigns/{counted_campaign.slug}/") for url in api_calls)
    context.close()
