"""Every public page and the main staff pages at 1280 px and 375 px, saved for a reviewer to look at.

Each page is also checked for what a person would notice at once: its
heading, and that nothing scrolls sideways at either width.
The files go to tests.browser.screenshots.SCREENSHOT_DIR.
"""

from datetime import timedelta

import pytest
from django.core.files import File
from django.utils import timezone
from playwright.sync_api import Page, expect

from campaigns.images import attach_picture
from campaigns.management.commands.seed_demo import DEMO_BODY, DEMO_PICTURE, DEMO_PICTURE_ALT
from campaigns.models import Campaign
from signatures.fold import fold_counts
from signatures.links import confirm_path, manage_path
from signatures.models import SignatureExport
from tests.browser.helpers import fill_sign_form, has_horizontal_scroll, log_in_as, make_roles
from tests.browser.screenshots import save_screenshot
from tests.factories import make_campaign, make_consent, make_organisation, make_signature, make_staff

COUNTRIES = ["DE", "FR", "IT", "ES", "PL", "NL", "AT", "CH"]


@pytest.fixture
def world(media_root):
    """A petition like the demo one, with a picture, partners and a few dozen signatures over some days."""
    lead = make_organisation(name="Reclaim Your Face coalition", slug="reclaim", website="https://example.org/")
    partner = make_organisation(name="Digital Rights Partner", slug="partner", website="https://example.net/")
    campaign = make_campaign(
        slug="ban-biometric-mass-surveillance",
        title="Ban biometric mass surveillance in the EU",
        summary="One million Europeans asking the EU to ban face recognition in public spaces.",
        body=DEMO_BODY,
        lead_organisation=lead,
        eci_thresholds=True,
        image_alt=DEMO_PICTURE_ALT,
    )
    with DEMO_PICTURE.open("rb") as picture:
        attach_picture(campaign, DEMO_PICTURE.name, File(picture))
    campaign.save()
    campaign.partners.add(partner)
    now = timezone.now()
    signatures = []
    for n in range(36):
        status = "pending" if n % 4 == 0 else "confirmed"
        signature = make_signature(
            campaign,
            status=status,
            country=COUNTRIES[n % len(COUNTRIES)],
            partner=partner if n % 3 == 0 else None,
            utm_source="newsletter" if n % 2 else "",
            email=f"signer{n}@mail{n % 3}.example",
        )
        type(signature).objects.filter(pk=signature.pk).update(created_at=now - timedelta(days=n % 6))
        if n % 5 == 0:
            make_consent(signature, lead)
        signatures.append(signature)
    fold_counts(campaign.pk)
    campaign.refresh_from_db()
    return campaign, signatures


def pending(signatures):
    return next(signature for signature in signatures if signature.status == "pending")


# Public pages: (name, how to get there, the heading a person sees)


def public_list(page, site, world):
    page.goto(f"{site}/en/")
    return "Petitions"


def public_petition(page, site, world):
    page.goto(f"{site}/en/{world[0].slug}/")
    return world[0].title


def public_petition_german(page, site, world):
    page.goto(f"{site}/de/{world[0].slug}/")
    return world[0].title  # no German translation in this world: the campaign's own language, marked


def public_form_errors(page, site, world):
    page.goto(f"{site}/en/{world[0].slug}/")
    page.get_by_label("Email address").fill("not-an-address")
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.get_by_role("alert")).to_be_visible()
    return world[0].title


def public_check_your_inbox(page, site, world):
    page.goto(f"{site}/en/{world[0].slug}/")
    fill_sign_form(page, email="new-signer@example.org")
    page.get_by_role("button", name="Sign", exact=True).click()
    return "Check your inbox"


def public_confirmed(page, site, world):
    page.goto(site + confirm_path(pending(world[1])))
    page.get_by_role("button", name="Confirm my signature").click()
    return "Thank you: your signature is confirmed"


def public_already_confirmed(page, site, world):
    confirmed = next(signature for signature in world[1] if signature.status == "confirmed")
    page.goto(site + confirm_path(confirmed))
    return "Your signature is already confirmed"


def public_withdraw(page, site, world):
    page.goto(site + manage_path(world[1][1]))
    return None


def public_withdrawn(page, site, world):
    page.goto(site + manage_path(world[1][1]))
    page.get_by_role("button", name="Withdraw my signature and erase my data").click()
    return "Your signature has been withdrawn"


def public_privacy(page, site, world):
    page.goto(f"{site}/en/{world[0].slug}/privacy/")
    return "Privacy notice"


def public_share_mastodon(page, site, world):
    page.goto(f"{site}/en/{world[0].slug}/share/mastodon/")
    return None


def public_embed(page, site, world):
    page.goto(f"{site}/en/{world[0].slug}/embed/?via=partner")
    return world[0].title


def public_closed(page, site, world):
    campaign = make_campaign(title="A closed petition", status=Campaign.Status.CLOSED, closed_at=timezone.now())
    page.goto(f"{site}/en/{campaign.slug}/")
    return "A closed petition"


def public_not_open_yet(page, site, world):
    campaign = make_campaign(title="A petition opening soon", opens_at=timezone.now() + timedelta(days=3))
    page.goto(f"{site}/en/{campaign.slug}/")
    return "A petition opening soon"


def public_not_found(page, site, world):
    page.goto(f"{site}/en/no-such-petition/")
    return "Page not found"


PUBLIC = [
    public_list, public_petition, public_petition_german, public_form_errors, public_check_your_inbox,
    public_confirmed, public_already_confirmed, public_withdraw, public_withdrawn, public_privacy,
    public_share_mastodon, public_embed, public_closed, public_not_open_yet, public_not_found,
]  # fmt: skip


@pytest.mark.parametrize("open_page", PUBLIC, ids=[p.__name__.removeprefix("public_") for p in PUBLIC])
def test_public_pages(sized_page: Page, site, world, open_page):
    heading = open_page(sized_page, site, world)
    if heading:
        expect(sized_page.get_by_role("heading", level=1)).to_have_text(heading)
    else:
        expect(sized_page.get_by_role("heading", level=1)).to_be_visible()
    save_screenshot(sized_page, open_page.__name__.replace("_", "-"))
    assert not has_horizontal_scroll(sized_page)


# Staff pages, as a superuser (the refused page has its own test)


def staff_index(site, world):
    return "/admin/", "Site administration"


def staff_campaigns(site, world):
    return "/admin/campaigns/campaign/", "Select campaign to change"


def staff_campaign(site, world):
    return f"/admin/campaigns/campaign/{world[0].pk}/change/", "Change campaign"


def staff_dashboard(site, world):
    return f"/admin/campaigns/campaign/{world[0].pk}/dashboard/", f"Dashboard: {world[0].title}"


def staff_fraud_view(site, world):
    return f"/admin/campaigns/campaign/{world[0].pk}/fraud/", f"Fraud view: {world[0].title}"


def staff_signatures(site, world):
    return "/admin/signatures/signature/", "Select signature to view"


def staff_signature(site, world):
    return f"/admin/signatures/signature/{world[1][1].pk}/change/", "View signature"


def staff_bulk_invalidation(site, world):
    return f"/admin/signatures/bulkinvalidation/add/?campaign={world[0].pk}&email_domain=mail1.example", None


def staff_audit_log(site, world):
    return "/admin/signatures/auditentry/", "Select audit entry to view"


def staff_export_choose(site, world):
    return "/admin/signatures/signatureexport/new/", "Export signatures: choose a campaign"


def staff_export_form(site, world):
    path = f"/admin/signatures/signatureexport/new/{world[0].slug}/?purpose=verified&status=confirmed"
    return path, f"Export signatures of {world[0].title}"


def staff_export_progress(site, world):
    export = SignatureExport.objects.create(
        campaign=world[0], requested_by_name="staff", purpose="verified", channel="file", status="running",
        rows_expected=27, row_count=12, progress_at=timezone.now(),
    )  # fmt: skip
    return f"/admin/signatures/signatureexport/{export.pk}/progress/", f"Export {export.pk} of {world[0].title}"


STAFF = [
    staff_index, staff_campaigns, staff_campaign, staff_dashboard, staff_fraud_view, staff_signatures,
    staff_signature, staff_bulk_invalidation, staff_audit_log, staff_export_choose, staff_export_form,
    staff_export_progress,
]  # fmt: skip


@pytest.mark.parametrize("staff_page", STAFF, ids=[p.__name__.removeprefix("staff_") for p in STAFF])
def test_staff_pages(sized_page: Page, site, world, staff_page):
    make_roles()
    log_in_as(sized_page, site, make_staff(superuser=True))
    path, heading = staff_page(site, world)
    response = sized_page.goto(site + path)
    assert response.status == 200
    if heading:
        expect(sized_page.get_by_role("heading", level=1)).to_have_text(heading)
    save_screenshot(sized_page, staff_page.__name__.replace("_", "-"))
    # Wide report tables scroll in their own box: the page itself never scrolls sideways.
    assert not has_horizontal_scroll(sized_page)


def test_staff_login(sized_page: Page, site):
    sized_page.goto(f"{site}/admin/login/")
    expect(sized_page.get_by_role("button", name="Log in")).to_be_visible()
    save_screenshot(sized_page, "staff-login")
