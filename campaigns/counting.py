"""The campaign's count: folded from the signatures, never written per signature.

Why it is exact: every signature carries is_counted, and only a fold ever
changes that flag, always in the same transaction as the totals it adds to or
takes from, and always holding the campaign's advisory lock (which reconcile
takes too, so it recounts the flags while nothing moves them). So at every commit the stored totals equal the rows flagged is_counted,
however many folds run at once and whatever confirms, withdraws or rejects
meanwhile: a row whose status changes after a fold has read it simply
disagrees with its flag again and the next fold takes it.

Why it is cheap: a confirmation only flips its own row's status. It asks for a
fold after commit, and at most one fold per campaign waits in the queue (a
short-lived cache key); beat folds every COUNT_FOLD_SECONDS as a safety net.
"""

import logging
from collections import Counter

from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F
from django.utils import timezone
from redis.exceptions import RedisError

from petition.enqueue import enqueue_now

from .models import Campaign, CountryCount, PartnerCount

logger = logging.getLogger(__name__)

FOLD_BATCH = 5000
# First key of the PostgreSQL advisory lock that serialises folds per campaign.
FOLD_LOCK_NAMESPACE = 7_001
# How long the "a fold is queued" mark may outlive a fold that never ran
# (lost by the broker); beat folds meanwhile anyway.
FOLD_QUEUED_TTL = 60


def fold_queued_key(campaign_id: int) -> str:
    return f"counts:fold-queued:{campaign_id}"


def request_fold(campaign_id: int) -> None:
    """Ask for the campaign's counts to be brought up to date after this commit."""
    transaction.on_commit(lambda: schedule_fold(campaign_id))


def schedule_fold(campaign_id: int) -> bool:
    """Enqueue a fold unless one is already queued; True when one was enqueued.

    The queued fold forgets its mark before it reads any rows, so whatever
    committed before a caller found the mark is seen by that fold. When the
    cache is unreachable we cannot know, so we enqueue: an extra fold costs
    little, a missed one costs freshness.
    """
    from .tasks import fold_counts as fold_task

    try:
        if not cache.add(fold_queued_key(campaign_id), 1, timeout=FOLD_QUEUED_TTL):
            return False
    except (RedisError, OSError) as exc:
        logger.warning("cache unreachable (%s); enqueueing fold of campaign %s anyway", type(exc).__name__, campaign_id)
    return enqueue_now(fold_task, campaign_id)


def forget_fold_request(campaign_id: int) -> None:
    try:
        cache.delete(fold_queued_key(campaign_id))
    except (RedisError, OSError) as exc:
        logger.warning("cache unreachable (%s) while starting fold of campaign %s", type(exc).__name__, campaign_id)


def lock_campaign_counts(campaign_id: int) -> None:
    """Serialise folds and reconciles of one campaign until the transaction ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [FOLD_LOCK_NAMESPACE, campaign_id])


def fold_counts(campaign_id: int) -> int:
    """Fold confirmations in, and withdrawals and rejections out, of the counts.

    A batch locks the rows whose flag disagrees with their status (in primary
    key order, so folds and bulk moderation do not deadlock), flips the flag
    and adds the difference to the totals in one transaction. Returns the net
    change; when anything changed, milestones are claimed and the public
    payload refreshed.
    """
    net = 0
    changed = False
    reconciled = False
    while True:
        try:
            to_add, to_remove = fold_batch(campaign_id)
        except IntegrityError:
            # Only a total that drifted below the rows flagged as counted can
            # go negative here; recount once and carry on rather than stall.
            if reconciled:
                raise
            logger.error("count of campaign %s would drop below zero: reconciling before folding", campaign_id)
            reconcile_counts(campaign_id)
            reconciled = True
            continue
        if not to_add and not to_remove:
            break
        net += len(to_add) - len(to_remove)
        changed = True
        if len(to_add) < FOLD_BATCH and len(to_remove) < FOLD_BATCH:
            break
    if changed:
        counts_changed(campaign_id)
    return net


def fold_batch(campaign_id: int) -> tuple[list, list]:
    """Fold up to FOLD_BATCH rows each way in one transaction; returns the rows added and removed."""
    from signatures.models import Signature

    with transaction.atomic():
        lock_campaign_counts(campaign_id)
        rows = Signature.objects.filter(campaign_id=campaign_id)
        to_add = lock_stale(rows.filter(status=Signature.Status.CONFIRMED, is_counted=False))
        to_remove = lock_stale(rows.filter(is_counted=True).exclude(status=Signature.Status.CONFIRMED))
        if not to_add and not to_remove:
            return [], []
        if to_add:
            Signature.objects.filter(pk__in=[row[0] for row in to_add]).update(is_counted=True)
        if to_remove:
            Signature.objects.filter(pk__in=[row[0] for row in to_remove]).update(is_counted=False)
        by_country = Counter()
        by_partner = Counter()
        for rows, sign in ((to_add, 1), (to_remove, -1)):
            for _, country, partner_id in rows:
                by_country[country] += sign
                if partner_id:
                    by_partner[partner_id] += sign
        apply_deltas(campaign_id, len(to_add) - len(to_remove), by_country, by_partner)
    return to_add, to_remove


def lock_stale(stale) -> list:
    """Lock up to FOLD_BATCH of these rows, in id order, and return (id, country, partner).

    The ids are picked without an order so PostgreSQL finds them through the
    partial index (sig_to_count / sig_to_uncount); ordering the locking query
    itself made it walk the whole primary key, 0.2 s at a million rows. The
    condition is applied again to the locked rows, so a row that changed
    while we waited for its lock is left to the next fold.
    """
    candidates = stale.values("pk")[:FOLD_BATCH]
    return list(
        stale.filter(pk__in=candidates).order_by("pk").select_for_update().values_list("pk", "country", "partner_id")
    )


def apply_deltas(campaign_id: int, delta: int, by_country: Counter, by_partner: Counter) -> None:
    Campaign.objects.filter(pk=campaign_id).update(
        signature_count=F("signature_count") + delta, count_updated_at=timezone.now()
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


def counts_changed(campaign_id: int) -> None:
    """After a committed change of the totals: claim milestones, refresh what readers get."""
    from . import api, milestones

    milestones.reach_milestones(campaign_id)
    api.refresh_cached_payload(campaign_id)


def counts_by_country(campaign_id: int) -> dict[str, int]:
    """Folded counts per ISO country code, leaving out countries at zero."""
    return dict(
        CountryCount.objects.filter(campaign_id=campaign_id, count__gt=0)
        .order_by("country")
        .values_list("country", "count")
    )


def campaigns_with_stale_counts() -> list[int]:
    """Campaigns with rows whose counted flag disagrees with their status (two partial-index scans)."""
    from signatures.models import Signature

    to_count = Signature.objects.filter(status=Signature.Status.CONFIRMED, is_counted=False)
    to_uncount = Signature.objects.filter(is_counted=True).exclude(status=Signature.Status.CONFIRMED)
    ids = set(to_count.values_list("campaign_id", flat=True).distinct())
    ids |= set(to_uncount.values_list("campaign_id", flat=True).distinct())
    return sorted(ids)


def reconcile_counts(campaign_id: int) -> dict:
    """Recount from the rows, correct any drift in the stored totals, and say what was corrected.

    Returns {"total": (stored, true), "country:DE": (stored, true), "partner:7": ...}
    for each figure that was wrong; empty when everything agreed.
    """
    from signatures.models import Signature

    with transaction.atomic():
        lock_campaign_counts(campaign_id)
        # The totals hold exactly the rows flagged is_counted (folds keep them
        # so under the same lock); rows whose flag lags their status are the
        # next fold's business, not drift.
        groups = (
            Signature.objects.filter(campaign_id=campaign_id, is_counted=True)
            .values_list("country", "partner_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        true_total = 0
        true_countries = Counter()
        true_partners = Counter()
        for country, partner_id, n in groups:
            true_total += n
            true_countries[country] += n
            if partner_id:
                true_partners[partner_id] += n
        campaign = Campaign.objects.select_for_update().only("signature_count").get(pk=campaign_id)
        corrections = {}
        if campaign.signature_count != true_total:
            corrections["total"] = (campaign.signature_count, true_total)
            Campaign.objects.filter(pk=campaign_id).update(signature_count=true_total, count_updated_at=timezone.now())
        stored_countries = dict(CountryCount.objects.filter(campaign_id=campaign_id).values_list("country", "count"))
        for country in sorted(set(stored_countries) | set(true_countries)):
            was, now = stored_countries.get(country, 0), true_countries.get(country, 0)
            if was != now:
                corrections[f"country:{country}"] = (was, now)
                CountryCount.objects.update_or_create(campaign_id=campaign_id, country=country, defaults={"count": now})
        stored_partners = dict(
            PartnerCount.objects.filter(campaign_id=campaign_id).values_list("organisation_id", "count")
        )
        for partner_id in sorted(set(stored_partners) | set(true_partners)):
            was, now = stored_partners.get(partner_id, 0), true_partners.get(partner_id, 0)
            if was != now:
                corrections[f"partner:{partner_id}"] = (was, now)
                PartnerCount.objects.update_or_create(
                    campaign_id=campaign_id, organisation_id=partner_id, defaults={"count": now}
                )
    if corrections:
        logger.warning(
            "reconcile corrected counts of campaign %s: %s",
            campaign_id,
            ", ".join(f"{name} {was} -> {now}" for name, (was, now) in corrections.items()),
        )
        counts_changed(campaign_id)
    return corrections
