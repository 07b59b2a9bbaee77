"""Reads for the fraud view: where the most signatures of a campaign came from lately."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Signature

TOP = 10


@dataclass(frozen=True)
class Window:
    key: str  # also the value of the changelist's "signed within" filter
    length: timedelta
    label: str


WINDOWS = (
    Window("hour", timedelta(hours=1), _("Last hour")),
    Window("day", timedelta(days=1), _("Last 24 hours")),
    Window("week", timedelta(days=7), _("Last 7 days")),
)
FRAUD_VIEW_WINDOWS = ("hour", "day")


def window(key: str) -> Window | None:
    return next((candidate for candidate in WINDOWS if candidate.key == key), None)


def top_sources(campaign_id: int, field: str, since, limit: int = TOP) -> list[dict]:
    """The values of field (email_domain or ip_hash) with the most signatures since then."""
    return list(
        Signature.objects.filter(campaign_id=campaign_id, created_at__gte=since)
        .exclude(**{field: ""})
        .values(field)
        .annotate(
            signatures=Count("pk"),
            confirmed=Count("pk", filter=Q(status=Signature.Status.CONFIRMED)),
            rejected=Count("pk", filter=Q(status=Signature.Status.REJECTED)),
        )
        .order_by("-signatures", field)[:limit]
    )


def fraud_report(campaign_id: int, now=None) -> list[dict]:
    """For the last hour and day: all signatures, top email domains and top address hashes (six queries)."""
    now = now or timezone.now()
    report = []
    for key in FRAUD_VIEW_WINDOWS:
        span = window(key)
        since = now - span.length
        report.append(
            {
                "window": span,
                "since": since,
                "total": Signature.objects.filter(campaign_id=campaign_id, created_at__gte=since).count(),
                "domains": top_sources(campaign_id, "email_domain", since),
                "ip_hashes": top_sources(campaign_id, "ip_hash", since),
            }
        )
    return report
