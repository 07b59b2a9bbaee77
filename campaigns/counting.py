"""The campaign's stored totals: what the count shows, kept exact by folds.

The totals (Campaign.signature_count, CountryCount, PartnerCount) are never
written per signature by a request. signatures.fold decides which signature
rows move in or out of the count and hands the differences to apply_deltas,
holding the campaign's advisory lock (lock_campaign_counts) that reconciles
take too. After a change, counts_changed claims milestones and refreshes the
JSON that readers of the count API get.
"""

import logging
from collections import Counter

from django.db import connection
from django.db.models import F
from django.utils import timezone

from . import milestones, payload
from .models import Campaign, CountryCount, PartnerCount

logger = logging.getLogger(__name__)

# First key of the PostgreSQL advisory lock that serialises folds per campaign.
FOLD_LOCK_NAMESPACE = 7_001


def lock_campaign_counts(campaign_id: int) -> None:
    """Serialise folds and reconciles of one campaign until the transaction ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [FOLD_LOCK_NAMESPACE, campaign_id])


def apply_deltas(
    campaign_id: int, delta: int, by_country: Counter, by_partner: Counter, paper_delta: int = 0
) -> None:
    """Add a fold's differences to the totals; the caller holds the lock and the transaction."""
    Campaign.objects.filter(pk=campaign_id).update(
        signature_count=F("signature_count") + delta,
        paper_count=F("paper_count") + paper_delta,
        count_updated_at=timezone.now(),
    )
    countries = {country: change for country, change in by_country.items() if change}
    partners = {partner_id: change for partner_id, change in by_partner.items() if change}
    CountryCount.objects.bulk_create(
        [CountryCount(campaign_id=campaign_id, country=country) for country in countries], ignore_conflicts=True
    )
    for country, change in countries.items():
        CountryCount.objects.filter(campaign_id=campaign_id, country=country).update(count=F("count") + change)
    PartnerCount.objects.bulk_create(
        [PartnerCount(campaign_id=campaign_id, organisation_id=partner_id) for partner_id in partners],
        ignore_conflicts=True,
    )
    for partner_id, change in partners.items():
        PartnerCount.objects.filter(campaign_id=campaign_id, organisation_id=partner_id).update(
            count=F("count") + change
        )


def correct_totals(
    campaign_id: int, total: int, by_country: Counter, by_partner: Counter, paper_total: int | None = None
) -> dict:
    """Make the stored totals equal these true ones; the caller holds the lock and the transaction.

    Returns {"total": (stored, true), "paper": ..., "country:DE": (stored, true), "partner:7": ...}
    for each figure that was wrong; empty when everything agreed.
    """
    campaign = Campaign.objects.select_for_update().only("signature_count", "paper_count").get(pk=campaign_id)
    corrections = {}
    if campaign.signature_count != total:
        corrections["total"] = (campaign.signature_count, total)
        Campaign.objects.filter(pk=campaign_id).update(signature_count=total, count_updated_at=timezone.now())
    if paper_total is not None and campaign.paper_count != paper_total:
        corrections["paper"] = (campaign.paper_count, paper_total)
        Campaign.objects.filter(pk=campaign_id).update(paper_count=paper_total, count_updated_at=timezone.now())
    stored_countries = dict(CountryCount.objects.filter(campaign_id=campaign_id).values_list("country", "count"))
    for country in sorted(set(stored_countries) | set(by_country)):
        was, now = stored_countries.get(country, 0), by_country.get(country, 0)
        if was != now:
            corrections[f"country:{country}"] = (was, now)
            CountryCount.objects.update_or_create(campaign_id=campaign_id, country=country, defaults={"count": now})
    stored_partners = dict(PartnerCount.objects.filter(campaign_id=campaign_id).values_list("organisation_id", "count"))
    for partner_id in sorted(set(stored_partners) | set(by_partner)):
        was, now = stored_partners.get(partner_id, 0), by_partner.get(partner_id, 0)
        if was != now:
            corrections[f"partner:{partner_id}"] = (was, now)
            PartnerCount.objects.update_or_create(
                campaign_id=campaign_id, organisation_id=partner_id, defaults={"count": now}
            )
    return corrections


def counts_changed(campaign_id: int) -> None:
    """After a committed change of the totals: claim milestones, refresh what readers get."""
    milestones.reach_milestones(campaign_id)
    payload.refresh_cached_payload(campaign_id)
