"""Partners in the admin: API keys shown once and revocable, the webhook secret, the test-event button."""

import re

import pytest

from campaigns.api_keys import active_key
from campaigns.models import ApiKey
from signatures.models import WebhookEvent
from tests.factories import make_organisation, make_staff_user
from tests.staff import log_in_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client):
    log_in_staff(client, make_staff_user(
        "campaigns.add_apikey", "campaigns.view_apikey", "campaigns.change_organisation", "campaigns.view_organisation"
    ))
    return client


def test_a_new_key_is_shown_once_and_works_until_revoked(manager):
    partner = make_organisation()

    page = manager.post("/admin/campaigns/apikey/add/", {"organisation": partner.pk, "name": "website"})

    plaintext = re.search(r"pk_[\w-]{40,}", page.content.decode()).group(0)
    key = ApiKey.objects.get()
    assert key.key_hash != plaintext and plaintext not in str(ApiKey.objects.values().get())
    assert active_key(plaintext) == key
    assert plaintext not in manager.get("/admin/campaigns/apikey/").content.decode()

    manager.post("/admin/campaigns/apikey/", {"action": "revoke_keys", "_selected_action": [key.pk]})
    assert active_key(plaintext) is None


def test_saving_a_webhook_url_makes_a_secret_and_the_button_sends_a_test_event(
    manager, django_capture_on_commit_callbacks
):
    partner = make_organisation(website="https://example.org")
    data = {"name": partner.name, "slug": partner.slug, "website": partner.website, "privacy_policy_url": "",
            "contact_email": "", "webhook_url": "https://crm.example.org/hooks"}

    manager.post(f"/admin/campaigns/organisation/{partner.pk}/change/", data)
    partner.refresh_from_db()
    assert partner.webhook_secret.startswith("whsec_")

    with django_capture_on_commit_callbacks(execute=False):
        manager.post(f"/admin/campaigns/organisation/{partner.pk}/webhook-test/")
    assert WebhookEvent.objects.get().event_type == "webhook.test"
