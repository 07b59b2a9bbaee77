"""A volunteer types a stack of paper sheets into the admin with the keyboard alone, and hears of duplicates at once."""

from playwright.sync_api import Page, expect

from signatures.models import Consent, Signature
from tests.browser.helpers import log_in_as
from tests.factories import make_campaign, make_organisation, make_signature, make_staff_user


def type_row(page: Page, *, first, last, email="", tick=False, postcode=""):
    """From the first name: type the row, Tab between fields, Enter from the postcode saves it."""
    expect(page.get_by_label("First name")).to_be_focused()
    page.keyboard.type(first)
    page.keyboard.press("Tab")
    page.keyboard.type(last)
    page.keyboard.press("Tab")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    if tick:
        page.keyboard.press("Space")
    page.keyboard.press("Tab")  # the country: kept from the previous row
    page.keyboard.press("Tab")
    page.keyboard.type(postcode)
    page.keyboard.press("Enter")
    page.wait_for_load_state()


def test_a_volunteer_enters_a_sheet_by_keyboard_and_is_warned_of_duplicates(page: Page, site):
    lead = make_organisation(name="Digital Rights")
    campaign = make_campaign(title="Ban biometric surveillance", lead_organisation=lead)
    make_signature(campaign, email="online@example.org", first_name="Olga", last_name="Online")
    volunteer = make_staff_user("signatures.add_signature", "signatures.view_signature")
    log_in_as(page, site, volunteer)

    page.goto(f"{site}/admin/signatures/signature/paper/")
    # Campaign and sheet once: the campaign list answers to typing its name.
    expect(page.get_by_label("Campaign")).to_be_focused()
    page.keyboard.type("Ban bio")
    page.keyboard.press("Tab")
    page.keyboard.type("Stall Alexanderplatz 2026-05-01")
    for _ in range(5):
        page.keyboard.press("Tab")
    expect(page.get_by_label("Country")).to_be_focused()
    page.keyboard.type("Germany")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    type_row(page, first="Karl", last="Papier", email="karl@example.org", tick=True, postcode="10115")

    expect(page.get_by_role("status")).to_contain_text("Saved: Karl Papier")
    expect(page.get_by_label("Country")).to_have_value("DE")
    type_row(page, first="Greta", last="Ohnemail", postcode="10117")
    expect(page.get_by_role("status")).to_contain_text("Saved: Greta Ohnemail")

    # The same person as an online signature, by canonical email.
    type_row(page, first="Olga", last="Online", email="ONLINE+stall@example.org", postcode="10115")
    expect(page.get_by_role("alert")).to_contain_text("already signed")
    expect(page.get_by_role("alert")).to_contain_text("Online form")

    # Without email: the same name, postcode and country as a paper row just typed.
    page.get_by_label("First name").fill("")
    page.get_by_label("Last name").fill("")
    page.get_by_label("Email address").fill("")
    page.get_by_label("Postcode").fill("")
    page.get_by_label("First name").focus()
    type_row(page, first="greta", last="OHNEMAIL", postcode="10117")
    expect(page.get_by_role("alert")).to_contain_text("Paper sheet")

    paper = Signature.objects.filter(source="paper").order_by("pk")
    assert [(s.first_name, s.status, s.country, s.sheet_reference) for s in paper] == [
        ("Karl", "confirmed", "DE", "Stall Alexanderplatz 2026-05-01"),
        ("Greta", "confirmed", "DE", "Stall Alexanderplatz 2026-05-01"),
    ]
    assert all(s.entered_by == volunteer and s.email_due == "" and s.campaign == campaign for s in paper)
    assert list(Consent.objects.values_list("signature__first_name", "organisation__name")) == [
        ("Karl", "Digital Rights")
    ]
    assert paper[0].contact_consent and not paper[1].contact_consent
