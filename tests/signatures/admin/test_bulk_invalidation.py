"""Bulk invalidation: preview the match, reject in batches in a task with progress, counts follow, undo."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from signatures import bulk_invalidation, moderation
from signatures.fold import fold_counts
from signatures.models import AuditEntry, BulkInvalidation, Signature
from tests.factories import make_campaign, make_organisation, make_signature, make_staff
from tests.staff import log_in_staff

pytestmark = pytest.mark.django_db

ADD = "admin:signatures_bulkinvalidation_add"


@pytest.fixture
def moderator_client(client):
    log_in_staff(client, make_staff("Moderators"))
    return client


@pytest.fixture
def campaign_with_a_burst():
    """Five confirmed signatures from spam.example, three legitimate ones (one of them pending)."""
    campaign = make_campaign()
    burst = [make_signature(campaign, status="confirmed", email=f"bot{n}@Spam.example") for n in range(5)]
    legitimate = [make_signature(campaign, status="confirmed") for _ in range(2)] + [make_signature(campaign)]
    fold_counts(campaign.pk)
    return campaign, burst, legitimate


def test_the_preview_shows_how_many_signatures_match_and_changes_nothing(moderator_client, campaign_with_a_burst):
    campaign, burst, _ = campaign_with_a_burst
    response = moderator_client.post(
        reverse(ADD), {"campaign": campaign.pk, "email_domain": "@SPAM.example", "reason": "spam wave", "preview": "1"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "5 pending or confirmed signatures match." in page
    assert "Reject 5 signatures" in page
    assert not BulkInvalidation.objects.exists()
    assert not Signature.objects.filter(status="rejected").exists()


def test_it_needs_at_least_one_condition(moderator_client, campaign_with_a_burst):
    campaign, _, _ = campaign_with_a_burst
    response = moderator_client.post(reverse(ADD), {"campaign": campaign.pk, "reason": "everything", "preview": "1"})
    assert "Please choose at least one condition" in response.content.decode()


def test_it_rejects_a_malformed_address_hash(moderator_client, campaign_with_a_burst):
    campaign, _, _ = campaign_with_a_burst
    response = moderator_client.post(reverse(ADD), {"campaign": campaign.pk, "ip_hash": "zz", "reason": "x"})
    assert "64 hexadecimal characters" in response.content.decode()


def test_starting_rejects_the_matches_in_batches_and_the_counts_follow(
    moderator_client, campaign_with_a_burst, django_capture_on_commit_callbacks, monkeypatch
):
    campaign, burst, legitimate = campaign_with_a_burst
    monkeypatch.setattr(bulk_invalidation, "BULK_BATCH", 2)
    preview = moderator_client.post(
        reverse(ADD), {"campaign": campaign.pk, "email_domain": "spam.example", "reason": "spam wave", "preview": "1"}
    )
    max_id = preview.context["preview"]["max_signature_id"]
    late = make_signature(campaign, status="confirmed", email="late@spam.example")  # after the preview
    with django_capture_on_commit_callbacks(execute=True):
        response = moderator_client.post(
            reverse(ADD),
            {"campaign": campaign.pk, "email_domain": "spam.example", "reason": "spam wave", "start": "1",
             "max_signature_id": max_id},
        )  # fmt: skip
    invalidation = BulkInvalidation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:signatures_bulkinvalidation_change", args=[invalidation.pk])
    assert (invalidation.status, invalidation.matched_count, invalidation.rejected_count) == ("done", 5, 5)
    assert invalidation.progress_percent() == 100
    assert set(Signature.objects.filter(status="rejected").values_list("pk", flat=True)) == {s.pk for s in burst}
    assert Signature.objects.get(pk=late.pk).status == "confirmed"
    assert set(Signature.objects.filter(invalidation=invalidation).values_list("rejection_reason", flat=True)) == {
        "spam wave"
    }
    campaign.refresh_from_db()
    assert campaign.signature_count == 3  # two legitimate confirmed plus the late one, once folded
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["bulk_invalidation_started", "bulk_invalidation_finished"]
    assert AuditEntry.objects.get(action="bulk_invalidation_started").detail["conditions"] == {
        "email_domain": "spam.example"
    }


def test_conditions_combine(campaign_with_a_burst):
    campaign, burst, legitimate = campaign_with_a_burst
    partner = make_organisation()
    Signature.objects.filter(pk__in=[burst[0].pk, legitimate[0].pk]).update(partner=partner, country="PL")
    Signature.objects.filter(pk__in=[burst[1].pk, burst[2].pk]).update(ip_hash="a" * 64)
    Signature.objects.filter(pk=burst[1].pk).update(created_at=timezone.now() - timedelta(days=3))

    def matches(**conditions):
        invalidation = BulkInvalidation(
            campaign=campaign, max_signature_id=moderation.latest_signature_id(), reason="r", **conditions
        )
        return set(invalidation.matching_signatures().values_list("pk", flat=True))

    assert matches(country="pl") == {burst[0].pk, legitimate[0].pk}
    assert matches(country="PL", partner=partner, email_domain="spam.example") == {burst[0].pk}
    assert matches(ip_hash="A" * 64) == {burst[1].pk, burst[2].pk}
    assert matches(ip_hash="a" * 64, signed_after=timezone.now() - timedelta(days=1)) == {burst[2].pk}
    assert matches(signed_before=timezone.now() - timedelta(days=1)) == {burst[1].pk}
    assert len(matches(signed_after=timezone.now() - timedelta(days=1))) == 7


def test_the_task_is_idempotent_and_cannot_run_an_undone_invalidation(
    campaign_with_a_burst, django_capture_on_commit_callbacks
):
    campaign, burst, _ = campaign_with_a_burst
    invalidation = BulkInvalidation(
        campaign=campaign, email_domain="spam.example", reason="r", max_signature_id=moderation.latest_signature_id()
    )
    with django_capture_on_commit_callbacks(execute=True):
        moderation.start_bulk_invalidation(invalidation)
    assert bulk_invalidation.run_bulk_invalidation(invalidation.pk) == 0
    invalidation.refresh_from_db()
    assert invalidation.rejected_count == 5


def test_cancelling_a_queued_invalidation_stops_it_before_it_starts(campaign_with_a_burst):
    campaign, _, _ = campaign_with_a_burst
    invalidation = BulkInvalidation.objects.create(
        campaign=campaign, email_domain="spam.example", reason="r", max_signature_id=10**9, matched_count=5
    )
    assert moderation.cancel_bulk_invalidation(invalidation.pk) is True
    assert bulk_invalidation.run_bulk_invalidation(invalidation.pk) == 0
    invalidation.refresh_from_db()
    assert invalidation.status == "cancelled"
    assert not Signature.objects.filter(status="rejected").exists()


def test_a_cancel_requested_while_running_ends_it_after_the_batch(campaign_with_a_burst, monkeypatch):
    campaign, _, _ = campaign_with_a_burst
    invalidation = BulkInvalidation.objects.create(
        campaign=campaign, email_domain="spam.example", reason="r", max_signature_id=10**9, matched_count=5,
        status="running",
    )  # fmt: skip
    monkeypatch.setattr(bulk_invalidation, "BULK_BATCH", 2)
    original = bulk_invalidation.reject_rows

    def reject_then_cancel(*args, **kwargs):
        rows = original(*args, **kwargs)
        BulkInvalidation.objects.filter(pk=invalidation.pk).update(cancel_requested_at=timezone.now())
        return rows

    monkeypatch.setattr(bulk_invalidation, "reject_rows", reject_then_cancel)
    assert bulk_invalidation.run_bulk_invalidation(invalidation.pk) == 2
    invalidation.refresh_from_db()
    assert (invalidation.status, invalidation.rejected_count) == ("cancelled", 2)


def test_undo_restores_what_it_rejected_and_the_counts_come_back(
    moderator_client, campaign_with_a_burst, django_capture_on_commit_callbacks
):
    campaign, burst, _ = campaign_with_a_burst
    invalidation = BulkInvalidation(
        campaign=campaign, email_domain="spam.example", reason="r", max_signature_id=moderation.latest_signature_id()
    )
    with django_capture_on_commit_callbacks(execute=True):
        moderation.start_bulk_invalidation(invalidation)
    campaign.refresh_from_db()
    assert campaign.signature_count == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = moderator_client.post(reverse("admin:signatures_bulk_undo", args=[invalidation.pk]))
    assert response.status_code == 302
    invalidation.refresh_from_db()
    assert (invalidation.status, invalidation.restored_count) == ("undone", 5)
    assert not Signature.objects.filter(status="rejected").exists()
    assert not Signature.objects.filter(invalidation__isnull=False).exists()
    campaign.refresh_from_db()
    assert campaign.signature_count == 7


def test_the_progress_page_refreshes_while_running(moderator_client, campaign_with_a_burst):
    campaign, _, _ = campaign_with_a_burst
    invalidation = BulkInvalidation.objects.create(
        campaign=campaign, email_domain="spam.example", reason="r", max_signature_id=10**9, matched_count=4,
        rejected_count=1, status="running",
    )  # fmt: skip
    page = moderator_client.get(
        reverse("admin:signatures_bulkinvalidation_change", args=[invalidation.pk])
    ).content.decode()
    assert '<meta http-equiv="refresh"' in page
    assert '<progress max="100" value="25">' in page
    assert reverse("admin:signatures_bulk_cancel", args=[invalidation.pk]) in page


def test_only_moderators_may_start_one(client, campaign_with_a_burst):
    campaign, _, _ = campaign_with_a_burst
    client.force_login(make_staff("Campaign managers"))
    response = client.post(reverse(ADD), {"campaign": campaign.pk, "email_domain": "spam.example", "reason": "r",
                                          "start": "1", "max_signature_id": "1000"})  # fmt: skip
    assert response.status_code == 403
    assert not BulkInvalidation.objects.exists()
