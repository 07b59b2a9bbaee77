"""Thin Celery wrappers around campaigns.milestone_emails.

The count's fold tasks live in signatures.tasks: folding reads signature rows.
"""

from smtplib import SMTPException

from celery import shared_task

from petition.enqueue import enqueue_now

from . import milestone_emails


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
    return milestone_emails.deliver_milestone_email(milestone_id)


@shared_task(acks_late=True)
def resend_milestone_emails() -> int:
    """Milestone emails whose enqueue was lost or whose sending failed for good."""
    ids = milestone_emails.unsent_milestone_ids()
    for milestone_id in ids:
        if not enqueue_now(send_milestone_email, milestone_id):
            break
    return len(ids)
