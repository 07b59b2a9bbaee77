from playwright.sync_api import Page, expect

from signatures.models import Signature
from tests.browser.helpers import confirm_link, fill_sign_form, text_body
from tests.factories import make_campaign


def sign(page: Page, petition: str, email: str) -> str:
    """Sign and return what the page that follows says."""
    page.goto(petition)
    fill_sign_form(page, email=email)
    page.get_by_role("button", name="Sign").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    return page.locator("main").inner_text()


def test_it_answers_a_second_signature_with_the_same_page_and_an_already_signed_email(page: Page, signing_stack):
    campaign = make_campaign(title="Protect our faces")
    petition = f"{signing_stack.url}/en/{campaign.slug}/"
    first_answer = sign(page, petition, "ada@example.org")
    [confirmation] = signing_stack.mailbox.wait_for("ada@example.org")
    page.goto(confirm_link(confirmation))
    page.get_by_role("button", name="Confirm my signature").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: your signature is confirmed")

    # The same person again, with the address written differently.
    second_answer = sign(page, petition, "Ada+again@Example.org")

    # The page does not tell whether an address has signed; the inbox of the
    # address that signed first does.
    assert second_answer == first_answer
    _confirmation, already = signing_stack.mailbox.wait_for("ada@example.org", 2)
    assert already["Subject"] == "You have already signed: Protect our faces"
    assert "You have already signed and confirmed" in text_body(already)
    assert "/s/confirm/" not in text_body(already)
    assert Signature.objects.count() == 1
