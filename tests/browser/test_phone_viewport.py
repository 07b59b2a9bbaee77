"""On a 375 px wide phone every page fits the screen: nothing scrolls sideways."""

import pytest
from playwright.sync_api import Browser, expect

from signatures.links import confirm_path, manage_path
from tests.browser.helpers import fill_sign_form, has_horizontal_scroll
from tests.factories import make_campaign, make_organisation, make_signature

LONG_TITLE = "Stop the Gesichtserkennungsüberwachungsinfrastrukturausbaugesetz before it passes"
LONG_BODY = (
    "Read the draft at [https://example.org/a/very/long/address/that/does/not/break/anywhere/on/its/own]"
    "(https://example.org/a/very/long/address/that/does/not/break/anywhere/on/its/own).\n\n"
    "- Biometrische-Massenüberwachungsverbotsforderungen\n- a second point"
)


@pytest.fixture
def phone(browser: Browser):
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    yield context.new_page()
    context.close()


def test_it_fits_a_phone_from_petition_to_confirmation(phone, site):
    campaign = make_campaign(title=LONG_TITLE, body=LONG_BODY)
    phone.goto(f"{site}/en/{campaign.slug}/")
    assert phone.evaluate("() => window.innerWidth") == 375
    assert not has_horizontal_scroll(phone)

    phone.get_by_role("button", name="Sign").click()
    expect(phone.get_by_role("alert")).to_be_visible()
    assert not has_horizontal_scroll(phone)

    fill_sign_form(phone, email="phone@example.org")
    phone.get_by_role("button", name="Sign").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    assert not has_horizontal_scroll(phone)

    signature = make_signature(campaign)
    phone.goto(site + confirm_path(signature))
    assert not has_horizontal_scroll(phone)
    phone.goto(site + manage_path(signature))
    assert not has_horizontal_scroll(phone)


@pytest.mark.parametrize("path", ["/en/", "/de/{slug}/", "/en/{slug}/share/mastodon/", "/en/{slug}/embed/?via={via}"])
def test_it_fits_a_phone_on_every_other_page(phone, site, path):
    partner = make_organisation()
    campaign = make_campaign(title=LONG_TITLE, body=LONG_BODY)
    campaign.partners.add(partner)
    phone.goto(site + path.format(slug=campaign.slug, via=partner.slug))
    assert not has_horizontal_scroll(phone)


WORDS_CUT_ACROSS_LINES = """heading => {
  const text = heading.firstChild;
  const cut = [];
  for (const match of text.data.matchAll(/\\S+/g)) {
    const range = document.createRange();
    range.setStart(text, match.index);
    range.setEnd(text, match.index + match[0].length);
    const lines = new Set(Array.from(range.getClientRects(), rect => Math.round(rect.top)));
    if (lines.size > 1) cut.push(match[0]);
  }
  return cut;
}"""


def test_a_headings_common_long_word_stays_whole_on_a_360_px_phone(browser: Browser, site):
    """German titles are full of compounds; at 1.8rem "Massenüberwachung" was cut before its last letter, no hyphen."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=3, is_mobile=True)
    page = context.new_page()
    campaign = make_campaign(title="Biometrische Massenüberwachung in der EU verbieten")
    page.goto(f"{site}/en/{campaign.slug}/")
    assert page.get_by_role("heading", level=1).evaluate(WORDS_CUT_ACROSS_LINES) == []
    context.close()


TABLE_OVERFLOW = """() => {
  const box = document.querySelector(".eci");
  const table = box.querySelector(".eci-table");
  return table.getBoundingClientRect().width - box.clientWidth;
}"""


@pytest.mark.parametrize("language", ["el", "de", "en"])
def test_the_member_states_table_fits_a_360_px_phone_whole(browser: Browser, site, language):
    # It scrolls sideways inside its box when wider, with nothing showing that it can: its last column cut off.
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=3, is_mobile=True)
    page = context.new_page()
    campaign = make_campaign(eci_thresholds=True, signature_count=1500)
    page.goto(f"{site}/{language}/{campaign.slug}/")
    page.locator(".eci summary").click()
    overflow = page.evaluate(TABLE_OVERFLOW)
    context.close()
    assert overflow <= 0.5, f"the table is {overflow:.0f} px wider than its box"
