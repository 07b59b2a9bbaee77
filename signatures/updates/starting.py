"""An update's sending begins: its recipients are written, at the time staff chose, in one transaction."""

import logging

from django.db import transaction
from django.utils import timezone

from campaigns.models import Update

from .audience import write_recipients

logger = logging.getLogger(__name__)


def begin_sending(update_id: int) -> bool:
    """Scheduled and due: write its recipients and mark it sending; False when not due or already begun.

    The conditional update claims the start, so of two workers only one
    writes recipients; the rows and the status commit together, so a worker
    never sees an update sending without its recipients.
    """
    with transaction.atomic():
        claimed = Update.objects.filter(
            pk=update_id, status=Update.Status.SCHEDULED, send_at__lte=timezone.now()
        ).update(status=Update.Status.SENDING, started_at=timezone.now())
        if not claimed:
            return False
        update = Update.objects.get(pk=update_id)
        count = write_recipients(update)
        Update.objects.filter(pk=update_id).update(recipient_count=count)
    logger.info("update %s: sending to %s recipients", update_id, count)
    return True


def due_update_ids() -> list[int]:
    return list(
        Update.objects.filter(status=Update.Status.SCHEDULED, send_at__lte=timezone.now())
        .order_by("send_at")
        .values_list("pk", flat=True)
    )
