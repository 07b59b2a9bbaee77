"""What a signer sees right after confirming: the count with them in it, sharing first, who runs the petition."""

from playwright.sync_api import Page, expect

from signatures.links import confirm_path
from tests.browser.helpers import axe_violations, has_horizontal_scroll
from tests.browser.screenshots import save_screenshot
from tests.factories import make_campaign, make_organisation, make_signature

NETWORKS = ["Email", "WhatsApp", "Telegram", "Mastodon", "Bluesky", "X", "Facebook", "LinkedIn"]


def test_the_confirmed_page_counts_this_signature_and_leads_with_sharing(sized_page: Page, site, axe_source):
    page = sized_page
    lead = make_organisation(name="Reclaim Your Face", website="https://lead.example.org/")
    partner = make_organisation(name="Digital Rights Partner", website="https://partner.example.net/")
    campaign = make_campaign(title="Ban biometric mass surveillance", goal=1_000_000, lead_organisation=lead)
    campaign.partners.add(partner)
    signature = make_signature(campaign)

    page.goto(site + confirm_path(signature))
    page.get_by_role("button", name="Confirm my signature").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: your signature is confirmed")
    expect(page.locator(".progress-figures")).to_have_text("1 signature of 1,000,000")
    share = page.get_by_role("region", name="Now pass it on")
    for network in NETWORKS:
        expect(share.get_by_role("link", name=network, exact=True)).to_be_visible()
    expect(share.get_by_role("textbox", name="Or copy the link:")).to_have_value(f"{site}/en/{campaign.slug}/")
    organisations = page.get_by_role("region", name="Who is behind this petition")
    expect(organisations.get_by_role("link", name="Reclaim Your Face")).to_have_attribute(
        "href", "https://lead.example.org/"
    )
    expect(organisations.get_by_role("listitem")).to_have_text(
        ["Reclaim Your Face (lead organisation)", "Digital Rights Partner"]
    )
    # Sharing comes before the organisations and the way back to the petition.
    share_top = share.bounding_box()["y"]
    assert share_top < organisations.bounding_box()["y"]
    assert share_top < page.get_by_role("link", name="Go to the petition").bounding_box()["y"]
    assert not has_horizontal_scroll(page)
    assert axe_violations(page, axe_source) == []
    save_screenshot(page, "public-confirmed")
