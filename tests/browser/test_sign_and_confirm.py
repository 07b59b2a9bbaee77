import urllib.request

from playwright.sync_api import Page, expect

from campaigns.models import Campaign
from signatures.models import Signature
from tests.browser.helpers import confirm_link, fill_sign_form, reload_until_count, shown_count
from tests.factories import make_campaign


def open_as_a_link_scanner(url: str, method: str) -> int:
    """What a mail scanner or a mailbox preview does: open the link, no cookies, no JavaScript, no click."""
    request = urllib.request.Request(url, method=method, headers={"User-Agent": "Mozilla/5.0 (link preview)"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def test_it_signs_confirms_by_email_and_counts_the_signature(page: Page, signing_stack):
    campaign = make_campaign(title="Ban biometric mass surveillance")
    page.goto(f"{signing_stack.url}/en/{campaign.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ban biometric mass surveillance")
    assert shown_count(page) == "0"

    fill_sign_form(page, email="marie@example.org")
    page.get_by_role("button", name="Sign").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    [message] = signing_stack.mailbox.wait_for("marie@example.org")
    assert "Ban biometric mass surveillance" in message["Subject"]
    assert Signature.objects.get().status == "pending"

    # Scanners and previews open every link in an email: that confirms nothing.
    link = confirm_link(message)
    assert open_as_a_link_scanner(link, "HEAD") == 200
    assert open_as_a_link_scanner(link, "GET") == 200
    assert Signature.objects.get().status == "pending"

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your signature")
    expect(page.get_by_text("Ban biometric mass surveillance")).to_be_visible()
    assert Signature.objects.get().status == "pending"
    page.get_by_role("button", name="Confirm my signature").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: your signature is confirmed")
    # Whether or not the worker has folded it yet, the page counts this signature.
    expect(page.locator(".progress-figures")).to_have_text("1 signature of 1,000,000")
    expect(page.get_by_role("region", name="Now pass it on").get_by_role("link", name="WhatsApp")).to_be_visible()

    page.goto(f"{signing_stack.url}/en/{campaign.slug}/")
    reload_until_count(page, "1")
    assert Signature.objects.get().status == "confirmed"
    assert Campaign.objects.get().signature_count == 1
