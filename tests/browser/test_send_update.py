"""A Communications staff member drafts an update, previews it in two languages, tests it and sends it."""

import collections
import importlib
import re

from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from playwright.sync_api import Page, expect

from campaigns.models import Update
from tests.browser.helpers import log_in_as, make_roles
from tests.factories import make_consent, make_signature, make_staff
from tests.realstack import text_body, wait_for
from tests.signatures.updates.helpers import campaign_with_lead, consenting_signers


def make_communications_role() -> None:
    for name, permissions in importlib.import_module("campaigns.migrations.0011_communications_role").ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for permission in permissions:
            app_label, codename = permission.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def test_communications_sends_an_update_to_exactly_the_consenting_signers(page: Page, signing_stack, settings):
    settings.UPDATE_SEND_PER_MINUTE = 0
    make_roles()
    make_communications_role()
    staff = make_staff("Communications", first_name="Cleo")
    staff.email = "cleo@coalition.example"
    staff.save(update_fields=["email"])
    campaign, organisation = campaign_with_lead()
    english = consenting_signers(campaign, organisation, 3, language="en")
    german = consenting_signers(campaign, organisation, 2, language="de", country="AT")
    withdrawn = consenting_signers(campaign, organisation, 1)[0]
    withdrawn.consents.update(withdrawn_at=timezone.now())
    make_signature(campaign, status="confirmed")  # never agreed
    make_consent(make_signature(campaign), organisation)  # never confirmed
    site, mailbox = signing_stack.url, signing_stack.mailbox
    log_in_as(page, site, staff)

    page.goto(f"{site}/admin/campaigns/update/add/")
    page.get_by_label("Campaign").select_option(label=campaign.title)
    page.get_by_label("Organisation").select_option(label=organisation.name)
    page.get_by_label("Sender name").fill("Digital Rights Team")
    page.get_by_label("Fallback language").select_option("en")
    page.locator("#id_texts-0-language").select_option("en")
    page.locator("#id_texts-0-subject").fill("News about {petition}")
    page.locator("#id_texts-0-body").fill("Hello {first_name},\n\nWe handed in **{petition}**.")
    page.locator("#id_texts-1-language").select_option("de")
    page.locator("#id_texts-1-subject").fill("Neues zu {petition}")
    page.locator("#id_texts-1-body").fill("Hallo {first_name},\n\nwir haben **{petition}** übergeben.")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator("#update-audience h2")).to_have_text("Audience: 5 signers")
    update = Update.objects.get()

    page.get_by_role("row", name=re.compile("Deutsch")).get_by_role("link", name="Preview").click()
    expect(page.locator("#preview-subject")).to_have_text(f"Neues zu {campaign.title}")
    expect(page.locator("#preview-html")).to_contain_text("Hallo Cleo")
    page.go_back()
    page.get_by_role("row", name=re.compile("English")).get_by_role("link", name="Preview").click()
    expect(page.locator("#preview-subject")).to_have_text(f"News about {campaign.title}")
    expect(page.locator("#preview-html strong")).to_have_text(campaign.title)
    page.go_back()

    page.get_by_role("row", name=re.compile("English")).get_by_role("button", name="Send me a test").click()
    expect(page.locator(".messagelist")).to_contain_text("A test was sent to cleo@coalition.example")
    test_copy = mailbox.wait_for("cleo@coalition.example")[0]
    assert test_copy["Subject"] == f"[Test] News about {campaign.title}"

    page.get_by_role("button", name="Send to 5 signers").click()
    expect(page.locator("#update-status")).to_have_text("Sent", timeout=60_000)
    expect(page.locator("#update-progress progress")).to_have_attribute("value", "100")
    expect(page.locator("#update-progress")).to_contain_text("5 sent, 0 skipped (consent gone), 0 failed, of 5.")

    wait_for(lambda: len(mailbox.messages) == 6, message="five updates and the test")
    received = collections.Counter(str(message["To"]) for message in mailbox.messages)
    assert received == collections.Counter([s.email for s in english + german] + ["cleo@coalition.example"])
    german_copy = mailbox.to(german[0].email)[0]
    assert german_copy["Subject"] == f"Neues zu {campaign.title}"
    assert text_body(german_copy).startswith(f"Hallo {german[0].first_name},")
    update.refresh_from_db()
    assert (update.status, update.sent_count, update.recipient_count) == ("done", 5, 5)
