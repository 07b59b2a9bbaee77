"""The suppression list: canonical addresses that bounced, complained or were refused, never emailed again."""

import logging

from django.db import IntegrityError, transaction

from .models import Suppression

logger = logging.getLogger(__name__)


def is_suppressed(email_canonical: str) -> bool:
    return Suppression.objects.filter(email_canonical=email_canonical).exists()


def suppress(email_canonical: str, reason: str) -> bool:
    """Add the address; False when it was already there (the first reason stays)."""
    if not email_canonical or reason not in Suppression.Reason.values:
        raise ValueError("suppress needs a canonical address and a Suppression.Reason")
    try:
        with transaction.atomic():
            Suppression.objects.create(email_canonical=email_canonical, reason=reason)
    except IntegrityError:
        return False
    logger.info("address suppressed (%s)", reason)
    return True
