"""The campaign's picture on the petition page: shown, described, and taking its space before it arrives."""

import pytest
from django.core.files import File
from playwright.sync_api import Page, expect

from campaigns.images import attach_picture
from campaigns.management.commands.seed_demo import DEMO_PICTURE
from campaigns.models import CampaignTranslation
from tests.browser.helpers import axe_violations, has_horizontal_scroll
from tests.factories import make_campaign

ALT = "Drawing: a crowd of people in a street, watched by a crossed-out surveillance camera."
ALT_DE = "Zeichnung: eine Menschenmenge unter einer durchgestrichenen Überwachungskamera."


@pytest.fixture
def pictured(media_root):
    campaign = make_campaign(title="Ban biometric mass surveillance", image_alt=ALT)
    with DEMO_PICTURE.open("rb") as picture:
        attach_picture(campaign, DEMO_PICTURE.name, File(picture))
    campaign.save()
    CampaignTranslation.objects.create(campaign=campaign, language="de", title="Verbieten", image_alt=ALT_DE)
    return campaign


def picture_box(page: Page) -> dict:
    return page.locator(".petition-image img").bounding_box()


def test_the_petition_shows_its_picture_with_a_description(sized_page: Page, site, pictured, axe_source):
    page = sized_page
    page.goto(f"{site}/en/{pictured.slug}/")

    picture = page.get_by_role("img", name=ALT)
    expect(picture).to_be_visible()
    page.wait_for_function("() => document.querySelector('.petition-image img').complete")
    assert picture.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [1200, 630]
    box = picture_box(page)
    assert box["width"] <= page.viewport_size["width"]
    assert box["height"] == pytest.approx(box["width"] * 630 / 1200, abs=1)
    assert not has_horizontal_scroll(page)
    assert axe_violations(page, axe_source) == []

    page.goto(f"{site}/de/{pictured.slug}/")
    expect(page.get_by_role("img", name=ALT_DE)).to_be_visible()


def test_the_page_keeps_the_pictures_place_while_it_loads(sized_page: Page, site, pictured):
    """Held back, the picture still takes its final height: the text below does not jump when it arrives."""
    page = sized_page
    page.route("**/campaign-images/**", lambda route: route.abort())
    page.goto(f"{site}/en/{pictured.slug}/")
    waiting = picture_box(page)
    text_top_waiting = page.locator(".petition-text").bounding_box()["y"]
    assert waiting["height"] == pytest.approx(waiting["width"] * 630 / 1200, abs=1)

    page.unroute("**/campaign-images/**")
    page.goto(f"{site}/en/{pictured.slug}/")
    page.wait_for_function("() => document.querySelector('.petition-image img').naturalWidth > 0")
    assert picture_box(page) == waiting
    assert page.locator(".petition-text").bounding_box()["y"] == text_top_waiting
