import pytest
from playwright.sync_api import Browser, expect

from tests.browser.helpers import confirm_link, fill_sign_form, reload_until_count, shown_count
from tests.factories import make_campaign


@pytest.fixture
def page(browser: Browser):
    context = browser.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


def test_it_signs_and_confirms_with_javascript_off(page, signing_stack):
    campaign = make_campaign()
    petition = f"{signing_stack.url}/en/{campaign.slug}/"
    page.goto(petition)
    assert shown_count(page) == "0"

    fill_sign_form(page, email="nojs@example.org")
    page.get_by_role("button", name="Sign").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")

    [message] = signing_stack.mailbox.wait_for("nojs@example.org")
    page.goto(confirm_link(message))
    page.get_by_role("button", name="Confirm my signature").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: your signature is confirmed")
    page.goto(petition)
    reload_until_count(page, "1")


def test_it_shows_the_postcode_format_after_a_round_trip_without_javascript(page, site):
    campaign = make_campaign()
    page.goto(f"{site}/en/{campaign.slug}/")
    page.get_by_label("Country").select_option(label="Netherlands")
    # No script runs to show the hint as the country changes...
    expect(page.locator("#id_postcode_helptext")).to_have_text("Needed for countries that use postcodes.")
    page.get_by_role("button", name="Sign").click()
    # ...so the server shows it with the form's answer.

    expect(page.locator("#id_postcode_helptext")).to_have_text("For example: 1012 AB")
    expect(page.get_by_label("Postcode")).to_have_accessible_description(
        "Please enter your postcode. For example: 1012 AB"
    )
