"""A refused admin page looks like the admin and says which role would open it."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from petition.denied import permission_denied
from signatures.models import SignatureExport
from tests.factories import make_campaign, make_staff
from tests.staff import log_in_staff

pytestmark = pytest.mark.django_db


def refused(client, url, method="get"):
    response = getattr(client, method)(url)
    assert response.status_code == 403
    page = response.text
    # The admin's own frame: its stylesheet, header, breadcrumbs and the page title.
    assert 'href="/static/admin/css/base.css"' in page
    assert 'id="header"' in page and 'class="breadcrumbs"' in page
    assert "<h1>Permission needed</h1>" in page
    assert "403 Forbidden" not in page
    return page[page.index('class="permission-needed"') :]


def test_a_signature_page_names_the_moderators(client):
    log_in_staff(client, make_staff("Data exporters"))
    sentence = refused(client, reverse("admin:signatures_signature_changelist"))
    assert sentence.startswith(
        'class="permission-needed">This page is for the role “Moderators”. '
        "Ask an administrator to add your login to that group.</p>"
    )


def test_a_page_several_roles_open_names_them_all(client):
    log_in_staff(client, make_staff())
    sentence = refused(client, reverse("admin:campaigns_campaign_changelist"))
    assert "one of the roles “Campaign managers”, “Communications”, “Data exporters”, “Moderators”" in sentence


@pytest.mark.parametrize(
    "groups, url_name, role",
    [
        (["Campaign managers"], "admin:campaigns_campaign_fraud", "“Moderators”"),
        (["Moderators"], "admin:campaigns_campaign_add", "“Campaign managers”"),
        (["Moderators"], "admin:signatures_signatureexport_choose", "“Data exporters”"),
        (["Data exporters"], "admin:signatures_bulkinvalidation_add", "“Moderators”"),
        ([], "admin:campaigns_campaign_dashboard", "“Campaign managers”, “Communications”, “Data exporters”, “Moderators”"),
    ],
)
def test_our_own_admin_pages_name_the_role_they_need(client, groups, url_name, role):
    campaign = make_campaign()
    log_in_staff(client, make_staff(*groups))
    args = [campaign.pk] if url_name.startswith("admin:campaigns_campaign_") and "add" not in url_name else []
    assert role in refused(client, reverse(url_name, args=args))


def test_closing_a_campaign_names_the_campaign_managers(client):
    log_in_staff(client, make_staff("Moderators"))
    sentence = refused(client, reverse("admin:campaigns_campaign_close", args=[make_campaign().pk]), "post")
    assert "“Campaign managers”" in sentence


def test_someone_elses_export_file_says_so(client):
    owner, other = make_staff("Data exporters"), make_staff("Data exporters")
    export = SignatureExport.objects.create(
        campaign=make_campaign(), requested_by=owner, requested_by_name=owner.username, purpose="verified",
        channel="file",
    )
    log_in_staff(client, other)
    sentence = refused(client, reverse("admin:signatures_signatureexport_download", args=[export.pk]))
    assert "Only the person who requested this export can download it." in sentence


def test_a_page_no_role_opens_says_only_an_administrator_can(client):
    log_in_staff(client, make_staff("Campaign managers", "Moderators", "Data exporters"))
    assert "only an administrator can" in refused(client, reverse("admin:auth_user_changelist"))


def test_a_page_closed_to_everyone_does_not_blame_the_role(client):
    log_in_staff(client, make_staff(superuser=True))
    sentence = refused(client, reverse("admin:signatures_signatureexport_add"))
    assert "cannot be opened this way, whatever your role" in sentence


def test_the_refused_page_follows_the_staff_members_language(client):
    log_in_staff(client, make_staff("Data exporters"))
    response = client.get(reverse("admin:signatures_signature_changelist"), HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 403
    assert 'lang="de"' in response.text


def test_public_pages_get_the_sites_own_403(rf: RequestFactory):
    request = rf.get("/en/somewhere/")
    request.user = AnonymousUser()
    response = permission_denied(request)
    assert response.status_code == 403
    assert "<h1>Not allowed</h1>" in response.content.decode()
    assert "site.css" in response.content.decode()
