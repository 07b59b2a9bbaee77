"""Who may see and do what in the admin, role by role; and personal data only for signature roles."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from signatures.models import Signature
from tests.factories import make_campaign, make_signature, make_staff
from tests.staff import log_in_staff

pytestmark = pytest.mark.django_db

ROLES = ["nobody", "manager", "moderator", "exporter", "superuser"]
GROUPS = {"manager": ["Campaign managers"], "moderator": ["Moderators"], "exporter": ["Data exporters"]}

# (name, method, url builder, expected status per role in ROLES order)
PAGES = [
    ("admin index", "get", lambda c, s: reverse("admin:index"), [200, 200, 200, 200, 200]),
    ("campaign list", "get", lambda c, s: reverse("admin:campaigns_campaign_changelist"), [403, 200, 200, 200, 200]),
    ("campaign page", "get", lambda c, s: reverse("admin:campaigns_campaign_change", args=[c.pk]),
     [403, 200, 200, 200, 200]),
    ("new campaign", "get", lambda c, s: reverse("admin:campaigns_campaign_add"), [403, 200, 403, 403, 200]),
    ("new organisation", "get", lambda c, s: reverse("admin:campaigns_organisation_add"), [403, 200, 403, 403, 200]),
    ("dashboard", "get", lambda c, s: reverse("admin:campaigns_campaign_dashboard", args=[c.pk]),
     [403, 200, 200, 200, 200]),
    ("fraud view", "get", lambda c, s: reverse("admin:campaigns_campaign_fraud", args=[c.pk]),
     [403, 403, 200, 403, 200]),
    ("close campaign", "post", lambda c, s: reverse("admin:campaigns_campaign_close", args=[c.pk]),
     [403, 302, 403, 403, 302]),
    ("signature list", "get", lambda c, s: reverse("admin:signatures_signature_changelist"),
     [403, 403, 200, 403, 200]),
    ("signature page", "get", lambda c, s: reverse("admin:signatures_signature_change", args=[s.pk]),
     [403, 403, 200, 403, 200]),
    ("audit log", "get", lambda c, s: reverse("admin:signatures_auditentry_changelist"), [403, 403, 200, 403, 200]),
    ("new bulk invalidation", "get", lambda c, s: reverse("admin:signatures_bulkinvalidation_add"),
     [403, 403, 200, 403, 200]),
]  # fmt: skip


@pytest.fixture
def world():
    campaign = make_campaign()
    signature = make_signature(campaign, first_name="Hedwig", last_name="Kiesewetter", email="hedwig@private.example")
    return campaign, signature


def login(client, role):
    if role == "superuser":
        user = make_staff(superuser=True)
    else:
        user = make_staff(*GROUPS.get(role, []))
    log_in_staff(client, user)
    return user


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_its_pages(client, world, role):
    campaign, signature = world
    login(client, role)
    outcome = {}
    for name, method, url, expected in PAGES:
        campaign.refresh_from_db()
        if campaign.status != "open":
            campaign.status = "open"
            campaign.save(update_fields=["status"])
        response = getattr(client, method)(url(campaign, signature))
        outcome[name] = (response.status_code, expected[ROLES.index(role)])
    assert {name: got for name, (got, _) in outcome.items()} == {name: want for name, (_, want) in outcome.items()}


@pytest.mark.parametrize("role", ["nobody", "manager", "exporter"])
def test_staff_without_signature_permissions_never_see_personal_data(client, world, role):
    campaign, signature = world
    login(client, role)
    for name, method, url, _ in PAGES:
        if method != "get":
            continue
        page = client.get(url(campaign, signature)).content.decode()
        for personal in ("Hedwig", "Kiesewetter", "hedwig@private.example", "private.example"):
            assert personal not in page, f"{personal} shown on {name} to {role}"


def test_moderators_see_the_signers_details(client, world):
    campaign, signature = world
    login(client, "moderator")
    page = client.get(reverse("admin:signatures_signature_changelist")).content.decode()
    assert "Hedwig Kiesewetter" in page and "hedwig@private.example" in page


def test_viewing_signatures_without_the_moderation_permission_offers_no_actions(client, world):
    campaign, signature = world
    user = make_staff()
    user.user_permissions.add(Permission.objects.get(codename="view_signature"))
    log_in_staff(client, user)
    page = client.get(reverse("admin:signatures_signature_changelist")).content.decode()
    assert "Hedwig" in page
    assert "reject_signatures" not in page
    client.post(
        reverse("admin:signatures_signature_changelist"),
        {"action": "reject_signatures", "_selected_action": [signature.pk], "apply": "yes", "category": "spam"},
    )
    assert Signature.objects.get(pk=signature.pk).status == "pending"


def test_the_roles_migration_created_the_groups_with_their_permissions():
    def codenames(name):
        return set(Group.objects.get(name=name).permissions.values_list("content_type__app_label", "codename"))

    assert ("signatures", "export_signatures") in codenames("Data exporters")
    assert ("signatures", "view_signature") not in codenames("Data exporters")
    assert {("signatures", "moderate_signatures"), ("signatures", "view_signature")} <= codenames("Moderators")
    assert ("campaigns", "change_campaign") in codenames("Campaign managers")
    assert not any(app == "signatures" for app, _ in codenames("Campaign managers"))
