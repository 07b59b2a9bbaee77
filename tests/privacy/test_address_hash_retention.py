"""The address hash is kept for the fraud window, then blanked by beat, long before the retention date."""

from datetime import timedelta

import pytest
from celery import current_app
from django.conf import settings as django_settings
from django.utils import timezone

from signatures import retention
from signatures.models import Signature
from signatures.tasks import forget_address_hashes
from tests.factories import make_campaign, make_signature

pytestmark = pytest.mark.django_db


def signed_days_ago(campaign, days: float, **fields) -> Signature:
    signature = make_signature(campaign, ip_hash="a" * 64, **fields)
    Signature.objects.filter(pk=signature.pk).update(created_at=timezone.now() - timedelta(days=days))
    return signature


def test_it_blanks_the_hash_once_the_fraud_window_has_passed_and_keeps_everything_else():
    campaign = make_campaign()
    old = signed_days_ago(campaign, 7.1, status="confirmed", country="FR", utm_source="newsletter")
    recent = signed_days_ago(campaign, 6.9)

    assert forget_address_hashes.delay().get() == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.ip_hash == ""
    assert (old.status, old.country, old.utm_source, old.email) == ("confirmed", "FR", "newsletter", old.email)
    assert old.email and old.first_name
    assert recent.ip_hash == "a" * 64


def test_it_follows_ip_hash_retention_days(settings):
    settings.IP_HASH_RETENTION_DAYS = 2
    campaign = make_campaign()
    three_days = signed_days_ago(campaign, 3)
    one_day = signed_days_ago(campaign, 1)

    forget_address_hashes.delay()

    assert Signature.objects.get(pk=three_days.pk).ip_hash == ""
    assert Signature.objects.get(pk=one_day.pk).ip_hash == "a" * 64


def test_it_works_through_batches_and_is_idempotent(monkeypatch):
    monkeypatch.setattr(retention, "BATCH", 2)
    campaign = make_campaign()
    for _ in range(3):
        signed_days_ago(campaign, 30)

    assert forget_address_hashes.delay().get() == 3
    assert forget_address_hashes.delay().get() == 0
    assert not Signature.objects.exclude(ip_hash="").exists()


def test_beat_runs_it_every_hour():
    entry = django_settings.CELERY_BEAT_SCHEDULE["forget-address-hashes"]

    assert entry["task"] == "signatures.tasks.forget_address_hashes"
    assert entry["task"] in current_app.tasks
    assert len(entry["schedule"].hour) == 24
    assert django_settings.IP_HASH_RETENTION_DAYS == 7
