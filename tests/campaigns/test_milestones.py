from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from campaigns import milestone_emails, milestones
from campaigns.models import Milestone
from campaigns.services import add_default_milestones
from campaigns.tasks import resend_milestone_emails
from signatures import fold
from signatures.tasks import fold_all_counts
from tests.factories import make_campaign, make_organisation, make_signature

pytestmark = pytest.mark.django_db


def campaign_with_milestones(*thresholds, **fields):
    campaign = make_campaign(staff_emails="lead@example.org\n\n  press@example.org  \n", **fields)
    Milestone.objects.bulk_create([Milestone(campaign=campaign, threshold=t) for t in thresholds])
    return campaign


def confirm(campaign, n, **fields):
    for _ in range(n):
        make_signature(campaign, status="confirmed", **fields)


def test_crossing_a_milestone_emails_the_staff_contacts_once(django_capture_on_commit_callbacks):
    campaign = campaign_with_milestones(3, 5)
    confirm(campaign, 3)

    with django_capture_on_commit_callbacks(execute=True):
        fold.fold_counts(campaign.pk)
        fold.fold_counts(campaign.pk)
        milestones.reach_milestones(campaign.pk)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lead@example.org", "press@example.org"]
    assert campaign.title in message.subject and "3 signatures" in message.subject
    assert "passed the milestone of 3 confirmed signatures" in message.body
    assert "The next milestone is 5." in message.body
    assert f"http://testserver{campaign.get_absolute_url()}" in message.body
    assert reverse("admin:campaigns_campaign_change", args=[campaign.pk]) in message.body
    html = message.alternatives[0][0]
    assert "passed the milestone of 3 confirmed signatures" in html
    reached = Milestone.objects.get(campaign=campaign, threshold=3)
    assert reached.reached_at and reached.notified_at
    assert Milestone.objects.get(campaign=campaign, threshold=5).reached_at is None


def test_it_does_not_email_again_when_the_count_falls_back_and_rises(django_capture_on_commit_callbacks):
    from signatures.models import Signature

    campaign = campaign_with_milestones(2)
    confirm(campaign, 2)
    with django_capture_on_commit_callbacks(execute=True):
        fold.fold_counts(campaign.pk)
    Signature.objects.filter(pk=Signature.objects.filter(campaign=campaign).first().pk).update(status="withdrawn")
    with django_capture_on_commit_callbacks(execute=True):
        fold.fold_counts(campaign.pk)
        confirm(campaign, 1)
        fold.fold_counts(campaign.pk)

    assert len(mail.outbox) == 1


def test_without_staff_contacts_it_tells_the_lead_organisation(django_capture_on_commit_callbacks):
    lead = make_organisation(contact_email="campaigns@lead.example.org")
    campaign = make_campaign(lead_organisation=lead, staff_emails="")
    Milestone.objects.create(campaign=campaign, threshold=1)
    confirm(campaign, 1)

    with django_capture_on_commit_callbacks(execute=True):
        fold.fold_counts(campaign.pk)

    assert [message.to for message in mail.outbox] == [["campaigns@lead.example.org"]]


def test_it_tries_again_when_sending_fails():
    campaign = campaign_with_milestones(1)
    milestone = Milestone.objects.get(campaign=campaign)
    Milestone.objects.filter(pk=milestone.pk).update(reached_at=timezone.now())

    with mock.patch("petition.emails.EmailMultiAlternatives.send", side_effect=OSError("smtp down")):
        with pytest.raises(OSError):
            milestone_emails.deliver_milestone_email(milestone.pk)
    milestone.refresh_from_db()
    assert milestone.notified_at is None

    assert milestone_emails.deliver_milestone_email(milestone.pk) is True
    assert milestone_emails.deliver_milestone_email(milestone.pk) is False
    assert len(mail.outbox) == 1


def test_the_sweep_sends_milestone_emails_whose_enqueue_was_lost():
    campaign = campaign_with_milestones(1)
    long_ago = timezone.now() - milestone_emails.RESEND_AFTER * 2
    Milestone.objects.filter(campaign=campaign).update(reached_at=long_ago)
    just_now = campaign_with_milestones(1)
    Milestone.objects.filter(campaign=just_now).update(reached_at=timezone.now())

    assert resend_milestone_emails.delay().get() == 1

    assert len(mail.outbox) == 1 and campaign.title in mail.outbox[0].subject


def test_beat_claims_milestones_a_dead_fold_left_unclaimed(django_capture_on_commit_callbacks):
    from campaigns.models import Campaign

    campaign = campaign_with_milestones(2)
    Campaign.objects.filter(pk=campaign.pk).update(signature_count=2)

    with django_capture_on_commit_callbacks(execute=True):
        fold_all_counts.delay()

    assert Milestone.objects.get(campaign=campaign).reached_at is not None
    assert len(mail.outbox) == 1


def test_the_email_is_written_in_the_campaign_language(django_capture_on_commit_callbacks):
    from campaigns.models import Campaign

    campaign = campaign_with_milestones(1000, language="de")
    Campaign.objects.filter(pk=campaign.pk).update(signature_count=1233)
    with django_capture_on_commit_callbacks(execute=True):
        milestones.reach_milestones(campaign.pk)

    assert "1.000" in mail.outbox[0].subject
    assert "/de/" in mail.outbox[0].body


def test_the_petition_page_shows_the_next_milestone(client):
    campaign = make_campaign()
    add_default_milestones(campaign)
    confirm(campaign, 3)
    fold.fold_counts(campaign.pk)

    response = client.get(campaign.get_absolute_url())

    assert b"Next milestone: <strong data-milestone-threshold>1,000</strong> signatures" in response.content
    assert b"<span data-milestone-remaining>997</span> to go" in response.content


def test_the_page_shows_no_next_milestone_past_the_last_one(client):
    campaign = campaign_with_milestones(1)
    confirm(campaign, 2)
    fold.fold_counts(campaign.pk)

    response = client.get(campaign.get_absolute_url())

    assert b"data-next-milestone" not in response.content
