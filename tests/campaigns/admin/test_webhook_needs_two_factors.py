"""Choosing where an organisation's webhook sends signers' names and addresses takes a login with two factors."""

import pytest
from django.urls import reverse

from campaigns.models import Organisation
from signatures.models import WebhookEvent
from tests.factories import make_organisation, make_staff
from tests.staff import log_in_staff

pytestmark = pytest.mark.django_db

SECRET = "whsec_" + "A" * 44


def form(organisation, **changes):
    data = {
        "name": organisation.name, "slug": organisation.slug, "website": "", "privacy_policy_url": "",
        "contact_email": "", "webhook_url": organisation.webhook_url,
    }  # fmt: skip
    data.update(changes)
    return data


@pytest.fixture
def organisation():
    return make_organisation(
        name="Friends of Privacy", webhook_url="https://crm.example.org/hook", webhook_secret=SECRET
    )


def test_a_password_only_campaign_manager_cannot_redirect_the_webhook_or_read_its_secret(client, organisation):
    client.force_login(make_staff("Campaign managers"))  # the role logs in with a password alone
    change = reverse("admin:campaigns_organisation_change", args=[organisation.pk])

    page = client.get(change)
    assert page.status_code == 200
    assert SECRET not in page.text
    assert 'name="webhook_url"' not in page.text

    response = client.post(change, form(organisation, name="Friends", webhook_url="https://attacker.example/x"))
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.name == "Friends"  # the rest of the organisation is still theirs to edit
    assert organisation.webhook_url == "https://crm.example.org/hook"

    added = client.post(
        reverse("admin:campaigns_organisation_add"),
        {**form(organisation, slug="new-one", webhook_url="https://attacker.example/y"), "name": "New one"},
    )
    assert added.status_code == 302
    assert Organisation.objects.get(slug="new-one").webhook_url == ""

    test = client.post(reverse("admin:campaigns_organisation_webhook_test", args=[organisation.pk]))
    assert test.status_code == 403
    assert not WebhookEvent.objects.exists()


def test_a_login_with_two_factors_chooses_the_webhook_and_reads_the_secret(client, organisation):
    log_in_staff(client, make_staff("Campaign managers", "Moderators"))
    change = reverse("admin:campaigns_organisation_change", args=[organisation.pk])

    page = client.get(change)
    assert SECRET in page.text and 'name="webhook_url"' in page.text

    client.post(change, form(organisation, webhook_url="https://crm2.example.org/hook"))
    organisation.refresh_from_db()
    assert organisation.webhook_url == "https://crm2.example.org/hook"

    assert client.post(reverse("admin:campaigns_organisation_webhook_test", args=[organisation.pk])).status_code == 302
    assert WebhookEvent.objects.filter(organisation=organisation, event_type="webhook.test").count() == 1
