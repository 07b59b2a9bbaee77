"""Staff sending, scheduling, pausing, resuming and cancelling an update; each in the audit log with its audience."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from campaigns.models import Update
from petition.enqueue import enqueue_after_commit
from petition.mailer import Outcome, send_batch

from ..models import AuditEntry, Signature
from ..tasks import send_update, start_update
from .audience import counts
from .compose import Composer


class Action:
    SEND = "update_send"
    SCHEDULE = "update_scheduled"
    PAUSE = "update_paused"
    RESUME = "update_resumed"
    CANCEL = "update_cancelled"


def audit(update: Update, action: str, actor, audience: int, **detail) -> None:
    AuditEntry.objects.create(
        actor=actor,
        action=action,
        campaign_id=update.campaign_id,
        detail={"update": update.pk, "organisation": update.organisation_id, "audience": audience, **detail},
    )


def send(update: Update, actor, at=None) -> bool:
    """Send now (at=None) or at a time: a draft becomes scheduled; False when it is no longer a draft."""
    audience = counts(update)["total"]
    with transaction.atomic():
        scheduled = Update.objects.filter(pk=update.pk, status=Update.Status.DRAFT).update(
            status=Update.Status.SCHEDULED, send_at=at or timezone.now(), recipient_count=audience
        )
        if not scheduled:
            return False
        if at is None:
            audit(update, Action.SEND, actor, audience)
            enqueue_after_commit(start_update, update.pk)
        else:
            audit(update, Action.SCHEDULE, actor, audience, send_at=at.isoformat())
    return True


def pause(update: Update, actor) -> bool:
    with transaction.atomic():
        paused = Update.objects.filter(pk=update.pk, status=Update.Status.SENDING).update(status=Update.Status.PAUSED)
        if paused:
            update.refresh_from_db()
            audit(update, Action.PAUSE, actor, update.recipient_count, done=update.done_count)
    return bool(paused)


def resume(update: Update, actor) -> bool:
    with transaction.atomic():
        resumed = Update.objects.filter(pk=update.pk, status=Update.Status.PAUSED).update(
            status=Update.Status.SENDING, updated_at=timezone.now()
        )
        if resumed:
            update.refresh_from_db()
            audit(update, Action.RESUME, actor, update.recipient_count, done=update.done_count)
            for _ in range(max(1, settings.UPDATE_WORKERS)):
                enqueue_after_commit(send_update, update.pk)
    return bool(resumed)


def cancel(update: Update, actor) -> bool:
    """Stop for good: what was sent stays sent, nobody else gets it. A scheduled update is cancelled before it starts."""
    with transaction.atomic():
        cancelled = Update.objects.filter(
            pk=update.pk, status__in=[Update.Status.SCHEDULED, Update.Status.SENDING, Update.Status.PAUSED]
        ).update(status=Update.Status.CANCELLED, finished_at=timezone.now())
        if cancelled:
            update.refresh_from_db()
            audit(update, Action.CANCEL, actor, update.recipient_count, done=update.done_count)
    return bool(cancelled)


def send_test(update: Update, language: str, actor) -> bool:
    """The update as a signer in that language would get it, to the staff member's own address."""
    sample = Signature(
        first_name=actor.first_name or actor.get_username(), last_name=actor.last_name, language=language
    )
    message = Composer(update).message(sample, to=actor.email, test=True)
    with translation.override(language):
        # Translators: the subject of a test copy of an update, sent to the staff member.
        message.subject = gettext("[Test] %(subject)s") % {"subject": message.subject}
    return send_batch([message]) == [Outcome.SENT]
