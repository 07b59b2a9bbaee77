from playwright.sync_api import Page, expect

from tests.factories import make_campaign


def test_it_shows_the_chosen_countrys_postcode_format_in_the_pages_language(page: Page, site):
    campaign = make_campaign()
    page.goto(f"{site}/de/{campaign.slug}/")
    postcode = page.get_by_label("Postleitzahl")

    page.get_by_label("Land").select_option(label="Niederlande")
    expect(page.locator("#id_postcode_helptext")).to_have_text("Zum Beispiel: 1012 AB")
    expect(postcode).to_have_accessible_description("Zum Beispiel: 1012 AB")

    page.get_by_label("Land").select_option(label="Polen")
    expect(page.locator("#id_postcode_helptext")).to_have_text("Zum Beispiel: 00-950")

    # Countries without a known format get the general hint rather than a wrong example.
    page.get_by_label("Land").select_option(label="Kanada")
    expect(page.locator("#id_postcode_helptext")).to_have_text("Erforderlich in Ländern mit Postleitzahlen.")
