"""Thin Celery wrappers around campaigns.services."""

import logging

from celery import shared_task

from . import services
from .models import Campaign

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, retry_jitter=True, max_retries=5)
def fold_counts(campaign_id: int) -> int:
    return services.fold_counts(campaign_id)


@shared_task(acks_late=True)
def fold_all_counts() -> int:
    net = 0
    for campaign_id in Campaign.objects.exclude(status=Campaign.Status.DRAFT).values_list("pk", flat=True):
        net += services.fold_counts(campaign_id)
    return net


@shared_task(acks_late=True)
def reconcile_all_counts() -> int:
    corrected = 0
    for campaign_id in Campaign.objects.values_list("pk", flat=True):
        services.fold_counts(campaign_id)
        corrected += len(services.reconcile_counts(campaign_id))
    return corrected
