"""Thin Celery wrappers around campaigns.counting and campaigns.milestones."""

import logging
from smtplib import SMTPException

from celery import shared_task
from django.db import DatabaseError

from petition.enqueue import enqueue_now

from . import counting, milestones
from .models import Campaign

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(DatabaseError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def fold_counts(campaign_id: int) -> int:
    # Forget the "queued" mark before reading rows: anything confirmed from
    # now on asks for a fold of its own.
    counting.forget_fold_request(campaign_id)
    return counting.fold_counts(campaign_id)


@shared_task(acks_late=True)
def fold_all_counts() -> int:
    """Beat's safety net: fold what the enqueued folds missed, claim milestones a dead fold left."""
    net = 0
    for campaign_id in counting.campaigns_with_stale_counts():
        try:
            net += counting.fold_counts(campaign_id)
        except DatabaseError:
            # One campaign's trouble must not hold up every other count.
            logger.exception("fold of campaign %s failed; the next beat tries again", campaign_id)
    for campaign_id in milestones.campaigns_with_unclaimed_milestones():
        milestones.reach_milestones(campaign_id)
    return net


@shared_task(acks_late=True)
def reconcile_all_counts() -> int:
    """Nightly: recount every campaign from its rows, correct any drift, then fold what is pending."""
    corrected = 0
    for campaign_id in Campaign.objects.order_by("pk").values_list("pk", flat=True):
        try:
            corrected += len(counting.reconcile_counts(campaign_id))
            counting.fold_counts(campaign_id)
        except DatabaseError:
            logger.exception("reconcile of campaign %s failed; carrying on with the others", campaign_id)
    return corrected


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=4,
)
def send_milestone_email(self, milestone_id: int) -> bool:
    return milestones.deliver_milestone_email(milestone_id)


@shared_task(acks_late=True)
def resend_milestone_emails() -> int:
    """Milestone emails whose enqueue was lost or whose sending failed for good."""
    ids = milestones.unsent_milestone_ids()
    for milestone_id in ids:
        if not enqueue_now(send_milestone_email, milestone_id):
            break
    return len(ids)
