"""A partner's website on another origin frames the sign form; signatures through it are credited to the partner."""

import functools
import http.server
import threading
import time

import pytest
from playwright.sync_api import Browser, Page, expect

from campaigns.embed_snippets import embed_snippet
from signatures.models import Signature
from tests.browser.helpers import PRIVACY_LABEL, confirm_link, fill_sign_form, reload_until_count
from tests.factories import make_campaign, make_organisation
from tests.realstack import free_port

INITIAL_HEIGHT = 900  # the height the snippet gives the iframe before its content reports in


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def partner_site(tmp_path):
    """A second origin, like a partner's website: a static server on another port of 127.0.0.1."""
    port = free_port()
    handler = functools.partial(QuietHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def publish(name: str, body: str) -> str:
        (tmp_path / name).write_text(
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Partner</title></head>'
            f"<body><h1>Our partner page</h1>{body}</body></html>"
        )
        return f"http://127.0.0.1:{port}/{name}"

    publish.origin = f"http://127.0.0.1:{port}"
    yield publish
    server.shutdown()
    server.server_close()


def iframe_fits_content(page: Page) -> bool:
    iframe = page.locator("iframe[data-petition-embed]")
    content = page.frame_locator("iframe[data-petition-embed]").locator("html")
    outer = iframe.evaluate("el => el.getBoundingClientRect().height")
    inner = content.evaluate("el => Math.ceil(el.getBoundingClientRect().height)")
    return abs(outer - inner) <= 1


def wait_until_fitted(page: Page) -> None:
    deadline = time.monotonic() + 10
    while not iframe_fits_content(page) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert iframe_fits_content(page)


def test_it_signs_through_a_partners_page_on_another_origin(page: Page, signing_stack, partner_site):
    partner = make_organisation(name="Digital Rights Partner", website=partner_site.origin + "/")
    campaign = make_campaign(title="Ban face surveillance")
    campaign.partners.add(partner)
    page.goto(partner_site("petition.html", embed_snippet(campaign, partner)))

    form = page.frame_locator("iframe[data-petition-embed]")
    expect(form.get_by_role("heading", level=1)).to_have_text("Ban face surveillance")
    wait_until_fitted(page)
    assert page.locator("iframe").evaluate("el => el.getBoundingClientRect().height") != INITIAL_HEIGHT

    form.get_by_label("First name").fill("Rosa")
    form.get_by_label("Last name").fill("Luxemburg")
    form.get_by_label("Email address").fill("rosa@example.org")
    form.get_by_label("Country").select_option(label="Poland")
    form.get_by_label("Postcode").fill("00-950")
    form.get_by_label("Keep me informed about this campaign by email.").check()
    form.get_by_label(PRIVACY_LABEL).check()
    form.get_by_role("button", name="Sign").click()

    expect(form.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    wait_until_fitted(page)
    signature = Signature.objects.get()
    assert signature.partner == partner
    assert signature.contact_consent is True

    [message] = signing_stack.mailbox.wait_for("rosa@example.org")
    page.goto(confirm_link(message))
    page.get_by_role("button", name="Confirm my signature").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: your signature is confirmed")
    page.goto(f"{signing_stack.url}/en/{campaign.slug}/")
    reload_until_count(page, "1")
    assert campaign.partner_counts.get().count == 1


def test_it_shows_errors_inside_the_frame_and_keeps_crediting_the_partner(page: Page, site, partner_site):
    partner = make_organisation(website=partner_site.origin)
    campaign = make_campaign()
    campaign.partners.add(partner)
    page.goto(partner_site("petition.html", embed_snippet(campaign, partner)))
    form = page.frame_locator("iframe[data-petition-embed]")
    form.get_by_role("button", name="Sign").click()

    expect(form.get_by_role("alert")).to_contain_text("Please check the form")
    wait_until_fitted(page)
    fill_sign_form(form, first_name="Rosa", last_name="Luxemburg", email="rosa@example.org", country="Poland", postcode="00-950")
    form.get_by_role("button", name="Sign").click()
    expect(form.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    assert Signature.objects.get().partner == partner


def test_it_refuses_a_signature_posted_by_another_sites_page(page: Page, site, partner_site):
    """A page elsewhere cannot submit signatures through its visitors' browsers."""
    partner = make_organisation(website=partner_site.origin)
    campaign = make_campaign()
    campaign.partners.add(partner)
    fields = {
        "first_name": "Forged",
        "last_name": "Person",
        "email": "victim@example.org",
        "country": "FR",
        "postcode": "75001",
        "accept_privacy": "on",
    }
    inputs = "".join(f'<input type="hidden" name="{name}" value="{value}">' for name, value in fields.items())
    forged = partner_site(
        "forged.html",
        f'<form method="post" action="{site}/en/{campaign.slug}/embed/sign/?via={partner.slug}">{inputs}'
        f'<button type="submit">Go</button></form>',
    )
    page.goto(forged)
    with page.expect_response(lambda response: "/embed/sign/" in response.url) as answer:
        page.get_by_role("button", name="Go").click()
    assert answer.value.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Please try again")
    assert not Signature.objects.exists()


def test_it_may_not_be_framed_by_plain_http_pages_other_than_the_partners(page: Page, site, partner_site):
    partner = make_organisation(website="https://partner.example.org/")
    campaign = make_campaign()
    campaign.partners.add(partner)
    with page.expect_console_message(lambda message: "frame-ancestors" in message.text) as refusal:
        page.goto(partner_site("elsewhere.html", embed_snippet(campaign, partner)))
    assert "The request has been blocked" in refusal.value.text


def test_on_a_phone_what_follows_sign_starts_in_view(browser: Browser, site, partner_site):
    """After "Sign" the partner's page still shows where the button was, at the foot of the taller form.

    The frame's new page (its errors, or "Check your inbox") starts above the
    screen unless the partner's page brings the frame's top into view; and
    browsers ignore autofocus in a frame from another site, so the cursor is
    put on the first field to fix by script.
    """
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, device_scale_factor=3, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    partner = make_organisation(website=partner_site.origin)
    campaign = make_campaign()
    campaign.partners.add(partner)
    page.goto(partner_site("phone.html", '<div style="height:500px">Our news</div>' + embed_snippet(campaign, partner)))
    form = page.frame_locator("iframe[data-petition-embed]")
    wait_until_fitted(page)

    form.get_by_role("button", name="Sign").click()
    expect(form.get_by_role("alert")).to_contain_text("Please check the form")
    wait_until_fitted(page)
    expect(form.get_by_label("First name")).to_be_focused()
    expect(form.get_by_role("alert")).to_be_in_viewport()

    fill_sign_form(form, first_name="Rosa", last_name="Luxemburg", email="rosa@example.org", country="Poland", postcode="00-950")
    form.get_by_role("button", name="Sign").click()
    expect(form.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    wait_until_fitted(page)
    expect(form.get_by_role("heading", level=1)).to_be_in_viewport()
    context.close()
