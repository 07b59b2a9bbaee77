"""Each moderation action from the signature admin: what it changes, its audit entry, and the counts after."""

import pytest
from django.core import mail
from django.urls import reverse

from campaigns.models import CountryCount, PartnerCount
from signatures import moderation
from signatures.fold import fold_counts
from signatures.models import AuditEntry, Consent, Signature
from tests.factories import make_campaign, make_organisation, make_signature, make_staff
from tests.staff import log_in_staff

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:signatures_signature_changelist"


@pytest.fixture
def moderator():
    return make_staff("Moderators")


@pytest.fixture
def moderator_client(client, moderator):
    log_in_staff(client, moderator)
    return client


@pytest.fixture
def counted_campaign():
    """A campaign with three confirmed signatures, counted, and one pending."""
    partner = make_organisation()
    campaign = make_campaign()
    campaign.partners.add(partner)
    confirmed = [make_signature(campaign, status="confirmed", partner=partner, country="FR") for _ in range(3)]
    pending = make_signature(campaign)
    fold_counts(campaign.pk)
    campaign.refresh_from_db()
    assert campaign.signature_count == 3
    return campaign, partner, confirmed, pending


def run_action(client, action, ids, capture, **extra):
    with capture(execute=True):
        return client.post(
            reverse(CHANGELIST), {"action": action, "_selected_action": [str(pk) for pk in ids], **extra}
        )


def test_rejecting_asks_for_a_reason_first(moderator_client, counted_campaign, django_capture_on_commit_callbacks):
    campaign, _, confirmed, _ = counted_campaign
    response = run_action(
        moderator_client, "reject_signatures", [confirmed[0].pk], django_capture_on_commit_callbacks, index="0"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Reject signatures" in page and 'name="category"' in page
    assert Signature.objects.get(pk=confirmed[0].pk).status == "confirmed"


def test_rejecting_stops_the_signature_counting_and_is_audited(
    moderator_client, moderator, counted_campaign, django_capture_on_commit_callbacks
):
    campaign, partner, confirmed, _ = counted_campaign
    response = run_action(
        moderator_client,
        "reject_signatures",
        [confirmed[0].pk, confirmed[1].pk],
        django_capture_on_commit_callbacks,
        apply="yes",
        category="fraud",
        note="twenty signatures from one address in a minute",
    )
    assert response.status_code == 302
    rejected = Signature.objects.get(pk=confirmed[0].pk)
    assert rejected.status == "rejected" and rejected.rejected_at
    assert rejected.rejection_reason == "fraud: twenty signatures from one address in a minute"
    campaign.refresh_from_db()
    assert campaign.signature_count == 1
    assert CountryCount.objects.get(campaign=campaign, country="FR").count == 1
    assert PartnerCount.objects.get(campaign=campaign, organisation=partner).count == 1
    entries = AuditEntry.objects.filter(action="reject").order_by("signature_id")
    assert [entry.signature_id for entry in entries] == [confirmed[0].pk, confirmed[1].pk]
    assert all(entry.actor == moderator and entry.campaign_id == campaign.pk for entry in entries)
    assert entries[0].detail == {
        "reason": "fraud: twenty signatures from one address in a minute",
        "previous_status": "confirmed",
    }


def test_restoring_makes_a_confirmed_signature_count_again_and_a_pending_one_pending(
    moderator_client, counted_campaign, django_capture_on_commit_callbacks
):
    campaign, _, confirmed, pending = counted_campaign
    with django_capture_on_commit_callbacks(execute=True):
        moderation.reject([confirmed[0].pk, pending.pk], "spam")
    campaign.refresh_from_db()
    assert campaign.signature_count == 2
    response = run_action(
        moderator_client, "restore_signatures", [confirmed[0].pk, pending.pk], django_capture_on_commit_callbacks,
        index="0",
    )  # fmt: skip
    assert response.status_code == 302
    restored = Signature.objects.get(pk=confirmed[0].pk)
    assert (restored.status, restored.rejected_at, restored.rejection_reason) == ("confirmed", None, "")
    assert Signature.objects.get(pk=pending.pk).status == "pending"
    campaign.refresh_from_db()
    assert campaign.signature_count == 3
    assert {entry.detail["status"] for entry in AuditEntry.objects.filter(action="restore")} == {
        "confirmed",
        "pending",
    }


def test_rejecting_leaves_withdrawn_signatures_alone(counted_campaign, django_capture_on_commit_callbacks):
    campaign, _, _, _ = counted_campaign
    withdrawn = make_signature(campaign, status="withdrawn")
    assert moderation.reject([withdrawn.pk], "spam") == 0
    assert Signature.objects.get(pk=withdrawn.pk).status == "withdrawn"
    assert not AuditEntry.objects.exists()


def test_erasing_drops_personal_data_keeps_the_count_and_is_audited(
    moderator_client, counted_campaign, django_capture_on_commit_callbacks
):
    campaign, partner, confirmed, _ = counted_campaign
    Consent.objects.create(signature=confirmed[0], organisation=partner, text_shown="words")
    page = run_action(
        moderator_client, "erase_personal_data", [confirmed[0].pk], django_capture_on_commit_callbacks, index="0"
    )
    assert "cannot be undone" in page.content.decode()
    assert Signature.objects.get(pk=confirmed[0].pk).erased_at is None
    run_action(moderator_client, "erase_personal_data", [confirmed[0].pk], django_capture_on_commit_callbacks,
               apply="yes")  # fmt: skip
    erased = Signature.objects.get(pk=confirmed[0].pk)
    assert (erased.first_name, erased.last_name, erased.email, erased.postcode, erased.email_domain) == ("",) * 5
    assert (erased.status, erased.country) == ("confirmed", "FR")
    assert erased.erased_at is not None
    assert Consent.objects.get(signature=erased).withdrawn_at is not None
    campaign.refresh_from_db()
    assert campaign.signature_count == 3
    assert AuditEntry.objects.get(action="erase").signature_id == erased.pk


def test_resending_queues_the_confirmation_link_for_pending_signatures_only(
    moderator_client, moderator, counted_campaign, django_capture_on_commit_callbacks
):
    campaign, _, confirmed, pending = counted_campaign
    response = run_action(
        moderator_client, "resend_confirmation", [pending.pk, confirmed[0].pk], django_capture_on_commit_callbacks,
        index="0",
    )  # fmt: skip
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[pending.email]]
    pending.refresh_from_db()
    assert pending.emails_sent == 1 and pending.confirmation_sent_at
    entry = AuditEntry.objects.get(action="resend_confirmation")
    assert (entry.signature_id, entry.actor) == (pending.pk, moderator)


def test_resending_nudges_an_email_that_failed_to_send(counted_campaign, django_capture_on_commit_callbacks):
    from django.utils import timezone

    campaign, _, _, pending = counted_campaign
    Signature.objects.filter(pk=pending.pk).update(email_due="confirm", send_failed_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert moderation.resend_confirmation([pending.pk]) == 1
    assert len(mail.outbox) == 1
    pending.refresh_from_db()
    assert (pending.email_due, pending.send_failed_at) == ("", None)


def test_actions_refuse_more_than_the_selection_limit(moderator_client, counted_campaign, monkeypatch):
    campaign, _, confirmed, _ = counted_campaign
    monkeypatch.setattr(moderation, "MAX_SELECTION", 2)
    response = moderator_client.post(
        reverse(CHANGELIST),
        {"action": "reject_signatures", "_selected_action": [s.pk for s in confirmed], "apply": "yes",
         "category": "spam"},
        follow=True,
    )  # fmt: skip
    assert "use a bulk invalidation" in response.content.decode()
    assert not Signature.objects.filter(status="rejected").exists()


def test_the_signature_page_offers_the_actions_to_moderators(moderator_client, counted_campaign):
    _, _, confirmed, _ = counted_campaign
    page = moderator_client.get(reverse("admin:signatures_signature_change", args=[confirmed[0].pk])).content.decode()
    assert 'value="reject_signatures"' in page and 'value="erase_personal_data"' in page
    assert 'value="restore_signatures"' not in page
