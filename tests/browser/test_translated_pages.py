from playwright.sync_api import Browser, Page, expect

from campaigns.models import CampaignTranslation
from signatures.models import Signature
from tests.browser.helpers import confirm_link, text_body
from tests.factories import make_campaign


def test_it_signs_in_german_and_gets_the_email_in_german(page: Page, signing_stack):
    campaign = make_campaign(title="Ban biometric mass surveillance", language="en")
    CampaignTranslation.objects.create(
        campaign=campaign,
        language="de",
        title="Biometrische Massenüberwachung verbieten",
        summary="Eine Million Stimmen gegen Gesichtserkennung.",
        body="Wir fordern ein Verbot.",
    )
    page.goto(f"{signing_stack.url}/de/{campaign.slug}/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text("Biometrische Massenüberwachung verbieten")
    expect(page.get_by_text("Wir fordern ein Verbot.")).to_be_visible()
    expect(page.get_by_role("heading", name="Petition unterschreiben")).to_be_visible()

    page.get_by_label("Vorname").fill("Sophie")
    page.get_by_label("Nachname").fill("Scholl")
    page.get_by_label("E-Mail-Adresse").fill("sophie@example.org")
    page.get_by_label("Land").select_option(label="Österreich")
    page.get_by_label("Postleitzahl").fill("1010")
    page.get_by_label("Datenschutzerklärung").check()
    page.get_by_role("button", name="Unterschreiben").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bitte prüfen Sie Ihr Postfach")

    [message] = signing_stack.mailbox.wait_for("sophie@example.org")
    # The encoded subject starts on the Subject line itself (it used to start on a continuation line).
    assert message["Subject"] == "Bitte bestätigen Sie Ihre Unterschrift: Biometrische Massenüberwachung verbieten"
    assert "/de/s/unsubscribe/" in message["List-Unsubscribe"]
    assert "Hallo Sophie," in text_body(message)
    assert Signature.objects.get().language == "de"
    link = confirm_link(message)
    assert "/de/s/confirm/" in link
    page.goto(link)
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_text("Biometrische Massenüberwachung verbieten")).to_be_visible()
    page.locator("main form button").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vielen Dank! Ihre Unterschrift ist bestätigt")


def test_it_falls_back_to_the_campaigns_own_language_and_marks_it(page: Page, site):
    campaign = make_campaign(title="Ban biometric mass surveillance", language="en")
    page.goto(f"{site}/fr/{campaign.slug}/")
    expect(page.get_by_role("heading", name="Signez la pétition")).to_be_visible()
    title = page.get_by_role("heading", level=1)
    expect(title).to_have_text("Ban biometric mass surveillance")
    assert title.evaluate("el => el.closest('[lang]').lang") == "en"
    expect(page.get_by_label("Pays")).to_contain_text("Allemagne")


def test_it_switches_language_with_the_switcher(page: Page, site):
    campaign = make_campaign()
    page.goto(f"{site}/en/{campaign.slug}/?via=someone")
    page.get_by_text("Language", exact=True).click()
    page.get_by_role("link", name="Français").click()
    expect(page).to_have_url(f"{site}/fr/{campaign.slug}/?via=someone")
    expect(page.locator("html")).to_have_attribute("lang", "fr")


def test_it_starts_in_the_browsers_language(browser: Browser, site):
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    page.goto(f"{site}/")
    expect(page).to_have_url(f"{site}/de/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Petitionen")
    context.close()
