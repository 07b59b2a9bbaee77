"""A staff member refused a page sees the admin around it and which role would open it."""

import re

from playwright.sync_api import Page, expect

from tests.browser.helpers import log_in_as, make_roles
from tests.browser.screenshots import save_screenshot
from tests.factories import make_staff


def test_a_refused_admin_page_looks_like_the_admin_and_names_the_role(sized_page: Page, site):
    page = sized_page
    make_roles()
    log_in_as(page, site, make_staff("Data exporters"))

    response = page.goto(f"{site}/admin/signatures/signature/")

    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Permission needed")
    expect(page.locator(".permission-needed")).to_have_text(re.compile("This page is for the role “Moderators”"))
    # The admin's stylesheet is applied: its coloured header bar, not an unstyled page.
    header = page.locator("#header")
    expect(header).to_be_visible()
    assert header.evaluate("element => getComputedStyle(element).backgroundColor") not in ("", "rgba(0, 0, 0, 0)")
    expect(page.get_by_role("link", name="Back to the admin home")).to_be_visible()
    save_screenshot(page, "staff-refused")
