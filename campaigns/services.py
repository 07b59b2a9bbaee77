"""Writes with a consequence for campaigns: opening, closing, milestones."""

from django.utils import timezone

from .models import DEFAULT_MILESTONES, Campaign, Milestone
from .selectors import forget_campaigns


def open_campaign(campaign: Campaign) -> None:
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.OPEN, closed_at=None)
    forget_campaigns([campaign.slug])


def close_campaign(campaign: Campaign) -> None:
    Campaign.objects.filter(pk=campaign.pk).exclude(status=Campaign.Status.CLOSED).update(
        status=Campaign.Status.CLOSED, closed_at=timezone.now()
    )
    forget_campaigns([campaign.slug])


def add_default_milestones(campaign: Campaign) -> None:
    Milestone.objects.bulk_create(
        [Milestone(campaign=campaign, threshold=threshold) for threshold in DEFAULT_MILESTONES],
        ignore_conflicts=True,
    )
