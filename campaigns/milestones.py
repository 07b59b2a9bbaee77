"""Milestones: claimed once when the count passes them, then staff are told once.

Two conditional updates make "exactly once" hold however many folds race:
a fold claims a milestone by setting reached_at where it is still empty, and
only the fold that got 1 back asks for the email; the email task
(campaigns.milestone_emails) claims it again by setting notified_at where that
is still empty before sending.
"""

import logging

from django.db.models import F
from django.utils import timezone

from petition.enqueue import enqueue_after_commit

from .models import Milestone
from .tasks import send_milestone_email

logger = logging.getLogger(__name__)


def reach_milestones(campaign_id: int) -> list[int]:
    """Claim every milestone the stored count has passed; each is claimed by one caller only."""
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
