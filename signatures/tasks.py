"""Thin Celery wrappers: load by id, call the module that does the work, return quietly when done.

Nothing these tasks call enqueues a task of its own (that would make a cycle):
work that leads to more work returns what is owed, and the task enqueues it.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError

from campaigns import milestones
from campaigns.models import Campaign
from petition.enqueue import enqueue_now

from . import bulk_invalidation, fold, outbox, reminders, retention, webhooks
from .exports import files as export_files
from .intake import jobs as import_jobs
from .models import ImportJob
from .updates import sending as update_sending
from .updates import starting as update_starting

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def drain_outbox() -> int:
    """Send what signatures are owed, in batches over one connection; nudged after signing, and by beat.

    State lives in the rows (claims with a short lease), so a drain that dies
    loses nothing and two drains never send the same email.
    """
    outbox.forget_nudge()
    return outbox.drain()


@shared_task(acks_late=True)
def send_reminders() -> int:
    """Owe one reminder to each pending signer who has waited REMINDER_AFTER_HOURS, and send them."""
    owed = reminders.request_due_reminders()
    if owed:
        outbox.drain()
    return len(owed)


@shared_task(acks_late=True, autoretry_for=(DatabaseError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def fold_counts(campaign_id: int) -> int:
    # Forget the "queued" mark before reading rows: anything confirmed from
    # now on asks for a fold of its own.
    fold.forget_fold_request(campaign_id)
    return fold.fold_counts(campaign_id)


@shared_task(acks_late=True)
def fold_all_counts() -> int:
    """Beat's safety net: fold what the enqueued folds missed, claim milestones a dead fold left."""
    net = 0
    for campaign_id in fold.campaigns_with_stale_counts():
        try:
            net += fold.fold_counts(campaign_id)
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
            corrected += len(fold.reconcile_counts(campaign_id))
            fold.fold_counts(campaign_id)
        except DatabaseError:
            logger.exception("reconcile of campaign %s failed; carrying on with the others", campaign_id)
    return corrected


@shared_task(acks_late=True)
def delete_unconfirmed() -> int:
    return retention.delete_unconfirmed()


@shared_task(acks_late=True)
def anonymise_expired() -> int:
    return retention.anonymise_expired()


@shared_task(acks_late=True)
def forget_address_hashes() -> int:
    return retention.forget_address_hashes()


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, retry_jitter=True, max_retries=5)
def run_bulk_invalidation(invalidation_id: int) -> int:
    return bulk_invalidation.run_bulk_invalidation(invalidation_id)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, retry_jitter=True, max_retries=5)
def run_bulk_undo(invalidation_id: int) -> int:
    return bulk_invalidation.run_bulk_undo(invalidation_id)


@shared_task(acks_late=True)
def build_export_file(export_id: int) -> bool:
    """Write a queued export to private storage; does nothing when another worker has it."""
    return export_files.build_file(export_id)


@shared_task(acks_late=True)
def sweep_exports() -> int:
    """Delete export files past their time, fail exports whose worker died, enqueue lost ones again."""
    deleted = export_files.delete_expired_files()
    export_files.fail_stalled_exports()
    for export_id in export_files.queued_export_ids():
        if not enqueue_now(build_export_file, export_id):
            break
    return deleted


@shared_task(acks_late=True, autoretry_for=(DatabaseError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def start_update(update_id: int) -> bool:
    """Write the recipients of a due update, then set its workers going."""
    if not update_starting.begin_sending(update_id):
        return False
    for _ in range(max(1, settings.UPDATE_WORKERS)):
        enqueue_now(send_update, update_id)
    return True


@shared_task(acks_late=True, autoretry_for=(DatabaseError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def send_update(update_id: int) -> int:
    """One worker's share of an update: batches until none is left, or staff paused or cancelled it."""
    return update_sending.run(update_id)


@shared_task(acks_late=True)
def sweep_updates() -> int:
    """Beat: start scheduled updates that are due, and set workers going again where theirs died."""
    started = 0
    for update_id in update_starting.due_update_ids():
        started += start_update.run(update_id)
    for update_id in update_sending.stalled_update_ids():
        update_sending.release_expired(update_id)
        for _ in range(max(1, settings.UPDATE_WORKERS)):
            enqueue_now(send_update, update_id)
    return started


@shared_task(acks_late=True)
def deliver_webhooks(organisation_id: int) -> int:
    """Send an organisation's due webhook events in order; a worker already on it makes this a no-op."""
    return webhooks.deliver_due(organisation_id)


@shared_task(acks_late=True)
def sweep_webhooks() -> int:
    """Retry what is due: events whose backoff has passed, and enqueues that were lost."""
    organisations = webhooks.organisations_with_due_events()
    for organisation_id in organisations:
        if not enqueue_now(deliver_webhooks, organisation_id):
            break
    return len(organisations)


@shared_task(acks_late=True)
def run_import_job(job_id: int) -> int:
    """Run a queued import (or its dry run); fold at once when it added signatures that count."""
    report = import_jobs.run_job(job_id)
    if report is None:
        return 0
    if report.imported and not report.dry_run:
        campaign_id = ImportJob.objects.filter(pk=job_id).values_list("campaign_id", flat=True).first()
        if campaign_id:
            enqueue_now(fold_counts, campaign_id)
    return report.imported


@shared_task(acks_late=True)
def sweep_import_jobs() -> int:
    """Run again the imports a lost enqueue or a dead worker left, and delete files left unimported."""
    import_jobs.delete_abandoned_files()
    job_ids = import_jobs.requeue_stalled()
    for job_id in job_ids:
        if not enqueue_now(run_import_job, job_id):
            break
    return len(job_ids)
