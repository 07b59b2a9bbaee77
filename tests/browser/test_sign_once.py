"""A second tap on "Sign" while the first is on its way sends nothing more.

On a slow connection the page seems not to react to the first tap, so people
tap again. Each tap was another POST, and every POST after the confirmation
email had left owed the signer another identical one.
"""

from playwright.sync_api import Browser, expect

from tests.browser.helpers import fill_sign_form
from tests.factories import make_campaign

TAP_TWICE = """() => {
  const button = document.querySelector("form.sign-form button[type=submit]");
  button.click();
  setTimeout(() => button.click(), 300);
}"""


def test_tapping_sign_twice_sends_the_form_once(browser: Browser, site):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, device_scale_factor=3, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    campaign = make_campaign()
    page.goto(f"{site}/en/{campaign.slug}/")
    fill_sign_form(page, email="twice@example.org")

    # Hold the POSTs as a slow network would: the page stays up while the second tap comes.
    held = []
    page.route("**/sign/", lambda route: held.append(route))
    page.evaluate(TAP_TWICE)
    page.wait_for_timeout(1500)
    assert len(held) == 1
    held[0].continue_()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    context.close()


def test_the_form_can_be_sent_again_after_coming_back_to_it(browser: Browser, site):
    """Back from the thank-you page (restored as it was), the guard does not keep the form from being sent."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    campaign = make_campaign()
    page.goto(f"{site}/en/{campaign.slug}/")
    fill_sign_form(page, email="again@example.org")
    page.get_by_role("button", name="Sign").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")

    page.go_back()
    fill_sign_form(page, email="again@example.org")
    page.get_by_role("button", name="Sign").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    context.close()
