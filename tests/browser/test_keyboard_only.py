from playwright.sync_api import Page, expect

from tests.browser.helpers import confirm_link, reload_until_count
from tests.factories import make_campaign

MAX_TABS = 80


def focus_is_visible(page: Page) -> bool:
    """The focused element draws a focus ring: an outline or a box-shadow."""
    return page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
            return outline || style.boxShadow !== 'none';
        }"""
    )


def tab_to(page: Page, selector: str) -> None:
    """Press Tab until the element is focused, checking every stop shows where focus is."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        assert focus_is_visible(page), page.evaluate("() => document.activeElement.outerHTML")
        if page.evaluate("selector => document.activeElement.matches(selector)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_it_can_be_signed_and_confirmed_with_the_keyboard_alone(page: Page, signing_stack):
    campaign = make_campaign()
    petition = f"{signing_stack.url}/en/{campaign.slug}/"
    page.goto(petition)

    # The first Tab reaches the skip link, which shows itself and jumps to the content.
    tab_to(page, ".skip-link")
    skip_link = page.get_by_role("link", name="Skip to main content")
    assert skip_link.bounding_box()["x"] >= 0
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    tab_to(page, "#id_first_name")
    page.keyboard.type("Grace")
    tab_to(page, "#id_last_name")
    page.keyboard.type("Hopper")
    tab_to(page, "#id_email")
    page.keyboard.type("grace@example.org")
    tab_to(page, "#id_country")
    page.keyboard.type("Ireland")
    expect(page.locator("#id_country")).to_have_value("IE")
    tab_to(page, "#id_postcode")
    page.keyboard.type("D02 X285")
    tab_to(page, "#id_accept_privacy")
    page.keyboard.press("Space")
    expect(page.locator("#id_accept_privacy")).to_be_checked()
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    [message] = signing_stack.mailbox.wait_for("grace@example.org")
    page.goto(confirm_link(message))
    tab_to(page, "main button")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: your signature is confirmed")

    tab_to(page, f"main a[href='/en/{campaign.slug}/']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(petition)
    reload_until_count(page, "1")
