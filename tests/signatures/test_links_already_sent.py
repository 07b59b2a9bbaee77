"""Links emailed before per-purpose tokens keep opening their page (as a keyed hash) until they expire."""

import importlib
import secrets

import pytest
from django.utils import timezone

from campaigns.models import Campaign
from signatures import links
from signatures.models import Signature
from tests.factories import make_campaign, make_signature

pytestmark = pytest.mark.django_db

hash_migration = importlib.import_module("signatures.migrations.0008_hash_legacy_tokens")


def signed_before_the_change(campaign, **fields):
    """A row as migration 0008 leaves it: only the keyed hash of the old all-purpose token."""
    old_token = secrets.token_urlsafe(32)
    signature = make_signature(campaign, legacy_token_hash=hash_migration.legacy_hash(old_token), **fields)
    return signature, old_token


def test_the_migration_hashes_old_tokens_as_the_links_module_checks_them():
    assert hash_migration.legacy_hash("abc") == links.legacy_token_hash("abc")


def test_an_old_confirmation_link_shows_the_button_and_its_post_confirms(client, django_capture_on_commit_callbacks):
    signature, old_token = signed_before_the_change(make_campaign())
    url = f"/en/s/confirm/{signature.pk}/{old_token}/"

    assert "Confirm my signature" in client.get(url).content.decode()
    assert Signature.objects.get().status == "pending"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 200
    assert Signature.objects.get().status == "confirmed"


def test_old_withdraw_and_unsubscribe_links_still_open_their_pages(client):
    signature, old_token = signed_before_the_change(make_campaign(), status="confirmed")

    assert client.get(f"/en/s/withdraw/{signature.pk}/{old_token}/").status_code == 200
    assert client.get(f"/en/s/withdraw/{signature.pk}/{old_token[:-1]}x/").status_code == 404


def test_an_old_confirmation_link_expires_with_the_campaigns_grace_period(client, settings):
    settings.CONFIRMATION_GRACE_DAYS = 7
    now = timezone.now()
    closed = make_campaign(
        status=Campaign.Status.CLOSED, opens_at=now - timezone.timedelta(days=30), closes_at=now - timezone.timedelta(days=8)
    )
    signature, old_token = signed_before_the_change(closed)

    response = client.get(f"/en/s/confirm/{signature.pk}/{old_token}/")

    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert Signature.objects.get().status == "pending"
