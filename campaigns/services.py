"""Writes with a consequence for campaigns: opening, closing, milestones.

Counting lives in campaigns.counting; its entry points are named here too
because signatures and the admin ask campaigns.services for a fold.
"""

from django.utils import timezone

from .counting import fold_counts, reconcile_counts, request_fold
from .models import Campaign

__all__ = ["add_default_milestones", "close_campaign", "fold_counts", "open_campaign", "reconcile_counts", "request_fold"]


def open_campaign(campaign: Campaign) -> None:
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.OPEN, closed_at=None)


def close_campaign(campaign: Campaign) -> None:
    Campaign.objects.filter(pk=campaign.pk).exclude(status=Campaign.Status.CLOSED).update(
        status=Campaign.Status.CLOSED, closed_at=timezone.now()
    )


def add_default_milestones(campaign: Campaign) -> None:
    from .models import DEFAULT_MILESTONES, Milestone

    Milestone.objects.bulk_create(
        [Milestone(campaign=campaign, threshold=threshold) for threshold in DEFAULT_MILESTONES],
        ignore_conflicts=True,
    )
