from playwright.sync_api import Page, expect

from signatures.models import Signature
from tests.browser.helpers import PRIVACY_LABEL
from tests.factories import make_campaign


def error_for(page: Page, label) -> str:
    """The error message the field's aria-describedby points at, which must sit in the field's own box."""
    return page.get_by_label(label).evaluate(
        """input => {
            const error = input.closest('.field').querySelector('.error-message');
            const describedBy = (input.getAttribute('aria-describedby') || '').split(' ');
            return error && describedBy.includes(error.id) ? error.textContent.trim() : null;
        }"""
    )


def test_it_shows_each_error_next_to_its_field_and_focuses_the_first(page: Page, site):
    campaign = make_campaign()
    page.goto(f"{site}/en/{campaign.slug}/")
    page.get_by_label("Last name").fill("Curie")
    page.get_by_label("Email address").fill("marie@")
    page.get_by_label("Country").select_option(label="Germany")
    page.get_by_label("Postcode").fill("123")
    page.get_by_role("button", name="Sign").click()

    expect(page.get_by_role("alert")).to_contain_text("Please check the form")
    expect(page.get_by_label("First name")).to_be_focused()
    assert error_for(page, "First name") == "Please enter your first name."
    assert error_for(page, "Email address") == "Please enter a complete email address, like name@example.org."
    assert error_for(page, "Postcode") == (
        "This postcode does not look right for the country you chose (for example 10115)."
    )
    assert error_for(page, PRIVACY_LABEL) == "Please accept the privacy notice to sign."
    assert error_for(page, "Last name") is None
    expect(page.get_by_label("First name")).to_have_attribute("aria-invalid", "true")
    # What was typed is kept, so only the mistakes need fixing.
    expect(page.get_by_label("Last name")).to_have_value("Curie")
    expect(page.get_by_label("Country")).to_have_value("DE")
    assert not Signature.objects.exists()


def test_it_links_the_error_summary_to_the_fields(page: Page, site):
    campaign = make_campaign()
    page.goto(f"{site}/en/{campaign.slug}/")
    page.get_by_role("button", name="Sign").click()

    page.get_by_role("alert").get_by_role("link", name="Email address: Please enter your email address.").click()
    expect(page.get_by_label("Email address")).to_be_focused()
