"""A new moderator logs into the admin in Chromium: password, then an authenticator app set up from the QR page."""

import base64

import pytest
from django.contrib.auth.models import Group, User
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from tests.browser.helpers import axe_violations

PASSWORD = "correct horse battery staple"


@pytest.fixture
def moderator(db):
    user = User.objects.create_user("rosa", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


def app_code(typed_key: str) -> str:
    """What an authenticator app shows for the key as the page prints it (base32, in groups)."""
    secret = typed_key.replace(" ", "")
    return f"{totp(base64.b32decode(secret + '=' * (-len(secret) % 8))):06d}"


def test_a_new_moderator_sets_up_an_app_on_first_login_and_gets_in(page: Page, site, moderator, axe_source):
    page.goto(f"{site}/admin/")
    page.get_by_label("Username").fill("rosa")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor login")
    qr_code = page.get_by_role("img", name="QR code of your two-factor key")
    expect(qr_code).to_be_visible()
    assert qr_code.evaluate("img => img.naturalWidth") > 0  # the data: image loads under the page's policy
    assert axe_violations(page, axe_source) == []
    typed_key = page.locator("code").inner_text()

    page.get_by_label("Code from your authenticator app").fill(app_code(typed_key))
    page.get_by_role("button", name="Confirm and log in").click()

    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    expect(page.get_by_role("link", name="Signatures").first).to_be_visible()
