"""What a person does on the petition pages, and what the tests check there."""

import importlib
import re
import time

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.test import Client
from playwright.sync_api import Page, expect

from tests.realstack import text_body

PRIVACY_LABEL = re.compile("privacy notice")
CONFIRM_LINK = re.compile(r"https?://\S+/s/confirm/\d+/[\w-]+/")
WITHDRAW_LINK = re.compile(r"https?://\S+/s/withdraw/\d+/[\w-]+/")


def fill_sign_form(page: Page, *, first_name="Marie", last_name="Curie", email, country="France", postcode="75005"):
    """Fill the form by its labels, as a person reading it would."""
    page.get_by_label("First name").fill(first_name)
    page.get_by_label("Last name").fill(last_name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Country").select_option(label=country)
    page.get_by_label("Postcode").fill(postcode)
    page.get_by_label(PRIVACY_LABEL).check()


def confirm_link(message) -> str:
    return CONFIRM_LINK.search(text_body(message)).group(0)


def shown_count(page: Page) -> str:
    return page.locator("[data-count]").first.inner_text()


def reload_until_count(page: Page, expected: str, seconds: float = 30) -> None:
    """Counts are folded in by the worker a moment after confirming: reload until it shows."""
    deadline = time.monotonic() + seconds
    while shown_count(page) != expected and time.monotonic() < deadline:
        time.sleep(0.25)
        page.reload()
    expect(page.locator("[data-count]").first).to_have_text(expected)


def axe_violations(page: Page, axe_source: str, impacts=("serious", "critical")) -> list[dict]:
    """axe-core's violations of the given impacts on the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate("source => { new Function(source)(); }", axe_source)
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]],
        }
        for violation in results["violations"]
        if violation["impact"] in impacts
    ]


def has_horizontal_scroll(page: Page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth > document.documentElement.clientWidth")


def log_in_as(page: Page, site: str, user) -> None:
    """Give the browser a session for this staff login, as the admin's login form would."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": site}])


def make_roles() -> None:
    """The staff groups the migrations create; a live server's database is emptied between tests, groups too."""
    for name, permissions in importlib.import_module("signatures.migrations.0003_roles").ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for permission in permissions:
            app_label, codename = permission.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
