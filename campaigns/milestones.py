"""Milestones: claimed once when the count passes them, then staff are told once.

Two conditional updates make "exactly once" hold however many folds race:
a fold claims a milestone by setting reached_at where it is still empty, and
only the fold that got 1 back asks for the email; the email task claims it
again by setting notified_at where that is still empty before sending.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from petition.enqueue import enqueue_after_commit

from .models import Campaign, Milestone

logger = logging.getLogger(__name__)

# A milestone reached this long ago without its email (the enqueue was lost,
# or sending failed for good) is sent again by the beat sweep.
RESEND_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class NextMilestone:
    threshold: int
    remaining: int


def next_milestone(campaign: Campaign) -> NextMilestone | None:
    """The smallest milestone still above the count: what the page says comes next."""
    threshold = (
        campaign.milestones.filter(threshold__gt=campaign.signature_count)
        .order_by("threshold")
        .values_list("threshold", flat=True)
        .first()
    )
    if threshold is None:
        return None
    return NextMilestone(threshold=threshold, remaining=threshold - campaign.signature_count)


def reach_milestones(campaign_id: int) -> list[int]:
    """Claim every milestone the stored count has passed; each is claimed by one caller only."""
    from .tasks import send_milestone_email

    now = timezone.now()
    due = Milestone.objects.filter(
        campaign_id=campaign_id, reached_at__isnull=True, threshold__lte=F("campaign__signature_count")
    )
    claimed = []
    for milestone_id in due.values_list("pk", flat=True):
        if Milestone.objects.filter(pk=milestone_id, reached_at__isnull=True).update(reached_at=now):
            claimed.append(milestone_id)
            logger.info("campaign %s reached milestone %s", campaign_id, milestone_id)
            enqueue_after_commit(send_milestone_email, milestone_id)
    return claimed


def campaigns_with_unclaimed_milestones() -> list[int]:
    """Campaigns whose count passed a milestone nobody claimed yet (a fold died between its steps)."""
    return sorted(
        set(
            Milestone.objects.filter(
                reached_at__isnull=True, threshold__lte=F("campaign__signature_count")
            ).values_list("campaign_id", flat=True)
        )
    )


def unsent_milestone_ids(now=None) -> list[int]:
    now = now or timezone.now()
    return list(
        Milestone.objects.filter(reached_at__lt=now - RESEND_AFTER, notified_at__isnull=True)
        .order_by("reached_at")
        .values_list("pk", flat=True)
    )


def staff_contacts(campaign: Campaign) -> list[str]:
    """The campaign's staff contacts, or else its lead organisation's contact address."""
    contacts = campaign.staff_email_list()
    if not contacts and campaign.lead_organisation and campaign.lead_organisation.contact_email:
        contacts = [campaign.lead_organisation.contact_email]
    return contacts


def deliver_milestone_email(milestone_id: int) -> bool:
    """Tell the campaign's staff that a milestone was reached, at most once."""
    now = timezone.now()
    claimed = Milestone.objects.filter(pk=milestone_id, reached_at__isnull=False, notified_at__isnull=True).update(
        notified_at=now
    )
    if not claimed:
        return False
    milestone = Milestone.objects.select_related("campaign__lead_organisation").get(pk=milestone_id)
    campaign = milestone.campaign
    recipients = staff_contacts(campaign)
    if not recipients:
        logger.warning("campaign %s reached milestone %s but has no staff contact to tell", campaign.pk, milestone.pk)
        return False
    try:
        send_milestone_message(milestone, recipients)
    except Exception:
        Milestone.objects.filter(pk=milestone_id, notified_at=now).update(notified_at=None)
        raise
    logger.info("told %d staff contacts of campaign %s about milestone %s", len(recipients), campaign.pk, milestone.pk)
    return True


def send_milestone_message(milestone: Milestone, recipients: list[str]) -> None:
    campaign = milestone.campaign
    with translation.override(campaign.language):
        context = {
            "campaign": campaign,
            "milestone": milestone,
            "count": campaign.signature_count,
            "next_milestone": next_milestone(campaign),
            "campaign_url": settings.SITE_URL + campaign.get_absolute_url(),
            "admin_url": settings.SITE_URL + reverse("admin:campaigns_campaign_change", args=[campaign.pk]),
        }
        subject = " ".join(render_to_string("emails/milestone-subject.txt", context).split())
        text = render_to_string("emails/milestone-body.txt", context)
        html = render_to_string("emails/milestone-body.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, recipients)
    message.attach_alternative(html, "text/html")
    message.send()
