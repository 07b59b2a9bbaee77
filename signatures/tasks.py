"""Thin Celery wrappers: load by id, call a service, return quietly when done."""

from smtplib import SMTPException

from celery import shared_task

from petition.enqueue import enqueue_now

from . import exports, moderation, retention, services


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=6,
)
def send_signature_email(self, signature_id: int) -> bool:
    try:
        return services.deliver_due_email(signature_id)
    except (SMTPException, OSError):
        if self.request.retries >= self.max_retries:
            services.mark_send_failed(signature_id)
        raise


@shared_task(acks_late=True)
def sweep_outbox() -> int:
    """Enqueue every email owed but not sent: lost enqueues, dead workers, failed SMTP."""
    ids = services.owed_email_ids()
    for signature_id in ids:
        if not enqueue_now(send_signature_email, signature_id):
            break
    return len(ids)


@shared_task(acks_late=True)
def send_reminders() -> int:
    """Owe one reminder to each pending signer who has waited REMINDER_AFTER_HOURS."""
    return services.request_due_reminders()


@shared_task(acks_late=True)
def delete_unconfirmed() -> int:
    return retention.delete_unconfirmed()


@shared_task(acks_late=True)
def anonymise_expired() -> int:
    return retention.anonymise_expired()


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, retry_jitter=True, max_retries=5)
def run_bulk_invalidation(invalidation_id: int) -> int:
    return moderation.run_bulk_invalidation(invalidation_id)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, retry_jitter=True, max_retries=5)
def run_bulk_undo(invalidation_id: int) -> int:
    return moderation.run_bulk_undo(invalidation_id)


@shared_task(acks_late=True)
def build_export_file(export_id: int) -> bool:
    """Write a queued export to private storage; does nothing when another worker has it."""
    return exports.build_file(export_id)


@shared_task(acks_late=True)
def sweep_exports() -> int:
    """Delete export files past their time, fail exports whose worker died, enqueue lost ones again."""
    deleted = exports.delete_expired_files()
    exports.fail_stalled_exports()
    for export_id in exports.queued_export_ids():
        if not enqueue_now(build_export_file, export_id):
            break
    return deleted
