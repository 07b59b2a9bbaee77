"""The email telling a campaign's staff that a milestone was reached, sent at most once."""

import logging
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from petition.emails import send_email

from .models import Campaign, Milestone

logger = logging.getLogger(__name__)

# A milestone reached this long ago without its email (the enqueue was lost,
# or sending failed for good) is sent again by the beat sweep.
RESEND_AFTER = timedelta(minutes=10)


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
            "next_milestone": campaign.next_milestone(),
            "campaign_url": settings.SITE_URL + campaign.get_absolute_url(),
            "admin_url": settings.SITE_URL + reverse("admin:campaigns_campaign_change", args=[campaign.pk]),
        }
    send_email("milestone", context, campaign.language, recipients)
