"""Writes with a consequence for campaigns: folding counts, opening and closing."""

import logging
from collections import Counter

from django.db import connection, transaction
from django.db.models import Count, F
from django.utils import timezone

from petition.enqueue import enqueue_after_commit

from .models import Campaign, CountryCount, PartnerCount

logger = logging.getLogger(__name__)

FOLD_BATCH = 5000
# First key of the PostgreSQL advisory lock that serialises folds per campaign.
FOLD_LOCK_NAMESPACE = 7_001


def request_fold(campaign_id: int) -> None:
    """Ask for the campaign's counts to be brought up to date after this commit."""
    from .tasks import fold_counts

    enqueue_after_commit(fold_counts, campaign_id)


def lock_campaign_counts(campaign_id: int) -> None:
    """Serialise folds and reconciles of one campaign until the transaction ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [FOLD_LOCK_NAMESPACE, campaign_id])


def fold_counts(campaign_id: int) -> int:
    """Fold confirmations in, and withdrawals and rejections out, of the counts.

    Each signature carries is_counted. A fold locks the rows whose flag
    disagrees with their status, flips the flag and adds the difference to
    the totals in the same transaction, so a signature is counted exactly once
    however many folds run and whatever confirms meanwhile. Returns the net
    change.
    """
    from signatures.models import Signature

    net = 0
    while True:
        with transaction.atomic():
            lock_campaign_counts(campaign_id)
            stale = Signature.objects.filter(campaign_id=campaign_id)
            to_add = list(
                stale.filter(status=Signature.Status.CONFIRMED, is_counted=False)
                .select_for_update()
                .values_list("pk", "country", "partner_id")[:FOLD_BATCH]
            )
            to_remove = list(
                stale.filter(is_counted=True)
                .exclude(status=Signature.Status.CONFIRMED)
                .select_for_update()
                .values_list("pk", "country", "partner_id")[:FOLD_BATCH]
            )
            if not to_add and not to_remove:
                break
            Signature.objects.filter(pk__in=[row[0] for row in to_add]).update(is_counted=True)
            Signature.objects.filter(pk__in=[row[0] for row in to_remove]).update(is_counted=False)
            by_country = Counter()
            by_partner = Counter()
            for rows, sign in ((to_add, 1), (to_remove, -1)):
                for _, country, partner_id in rows:
                    by_country[country] += sign
                    if partner_id:
                        by_partner[partner_id] += sign
            delta = len(to_add) - len(to_remove)
            apply_deltas(campaign_id, delta, by_country, by_partner)
            net += delta
        if len(to_add) < FOLD_BATCH and len(to_remove) < FOLD_BATCH:
            break
    return net


def apply_deltas(campaign_id: int, delta: int, by_country: Counter, by_partner: Counter) -> None:
    Campaign.objects.filter(pk=campaign_id).update(
        signature_count=F("signature_count") + delta, count_updated_at=timezone.now()
    )
    for country, change in by_country.items():
        if change:
            CountryCount.objects.get_or_create(campaign_id=campaign_id, country=country)
            CountryCount.objects.filter(campaign_id=campaign_id, country=country).update(count=F("count") + change)
    for partner_id, change in by_partner.items():
        if change:
            PartnerCount.objects.get_or_create(campaign_id=campaign_id, organisation_id=partner_id)
            PartnerCount.objects.filter(campaign_id=campaign_id, organisation_id=partner_id).update(
                count=F("count") + change
            )


def reconcile_counts(campaign_id: int) -> dict:
    """Recount from the rows, correct any drift in the stored counts, and say what was corrected."""
    from signatures.models import Signature

    with transaction.atomic():
        lock_campaign_counts(campaign_id)
        # The counts hold exactly the rows flagged is_counted (folds keep
        # them so under the same lock); rows whose flag lags their status
        # are the next fold's business.
        counted = Signature.objects.filter(campaign_id=campaign_id, is_counted=True)
        true_total = counted.count()
        true_countries = dict(counted.values_list("country").annotate(n=Count("pk")).order_by())
        true_partners = dict(
            counted.filter(partner__isnull=False).values_list("partner_id").annotate(n=Count("pk")).order_by()
        )
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        corrections = {}
        if campaign.signature_count != true_total:
            corrections["total"] = (campaign.signature_count, true_total)
        Campaign.objects.filter(pk=campaign_id).update(signature_count=true_total, count_updated_at=timezone.now())
        stored_countries = dict(CountryCount.objects.filter(campaign_id=campaign_id).values_list("country", "count"))
        for country in set(stored_countries) | set(true_countries):
            was, now = stored_countries.get(country, 0), true_countries.get(country, 0)
            if was != now:
                corrections[f"country:{country}"] = (was, now)
                CountryCount.objects.update_or_create(
                    campaign_id=campaign_id, country=country, defaults={"count": now}
                )
        stored_partners = dict(
            PartnerCount.objects.filter(campaign_id=campaign_id).values_list("organisation_id", "count")
        )
        for partner_id in set(stored_partners) | set(true_partners):
            was, now = stored_partners.get(partner_id, 0), true_partners.get(partner_id, 0)
            if was != now:
                corrections[f"partner:{partner_id}"] = (was, now)
                PartnerCount.objects.update_or_create(
                    campaign_id=campaign_id, organisation_id=partner_id, defaults={"count": now}
                )
    if corrections:
        logger.warning("reconcile corrected counts of campaign %s: %s", campaign_id, corrections)
    return corrections


def open_campaign(campaign: Campaign) -> None:
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.OPEN, closed_at=None)


def close_campaign(campaign: Campaign) -> None:
    Campaign.objects.filter(pk=campaign.pk).exclude(status=Campaign.Status.CLOSED).update(
        status=Campaign.Status.CLOSED, closed_at=timezone.now()
    )


def add_default_milestones(campaign: Campaign) -> None:
    from .models import DEFAULT_MILESTONES, Milestone

    Milestone.objects.bulk_create(
        [Milestone(campaign=campaign, threshold=threshold) for threshold in DEFAULT_MILESTONES],
        ignore_conflicts=True,
    )
