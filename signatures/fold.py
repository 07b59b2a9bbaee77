"""Folding signatures into their campaign's count: exact, and never a write per signature.

Why it is exact: every signature carries is_counted, and only a fold ever
changes that flag, always in the same transaction as the totals it adds to or
takes from, and always holding the campaign's advisory lock (which reconcile
takes too, so it recounts the flags while nothing moves them). So at every
commit the stored totals equal the rows flagged is_counted, however many folds
run at once and whatever confirms, withdraws or rejects meanwhile: a row whose
status changes after a fold has read it simply disagrees with its flag again
and the next fold takes it.

Why it is cheap: a confirmation only flips its own row's status. It asks for a
fold after commit (signatures.services.request_fold), at most one fold per
campaign waits in the queue (a short-lived cache key, forgotten here when the
fold starts; the fold starts a moment after it was asked for, so the
confirmations of that moment share it), and beat folds every
COUNT_FOLD_SECONDS as a safety net.
"""

import logging
from collections import Counter

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count
from redis.exceptions import RedisError

from campaigns.counting import apply_deltas, correct_totals, counts_changed, lock_campaign_counts

from .models import Signature

logger = logging.getLogger(__name__)

FOLD_BATCH = 5000


def fold_queued_key(campaign_id: int) -> str:
    return f"counts:fold-queued:{campaign_id}"


def forget_fold_request(campaign_id: int) -> None:
    """A queued fold is starting: whatever commits from now on asks for a fold of its own."""
    try:
        cache.delete(fold_queued_key(campaign_id))
    except (RedisError, OSError) as exc:
        logger.warning("cache unreachable (%s) while starting fold of campaign %s", type(exc).__name__, campaign_id)


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
        paper = 0
        for rows, sign in ((to_add, 1), (to_remove, -1)):
            for _, country, partner_id, source in rows:
                by_country[country] += sign
                if partner_id:
                    by_partner[partner_id] += sign
                if source == Signature.Source.PAPER:
                    paper += sign
        apply_deltas(campaign_id, len(to_add) - len(to_remove), by_country, by_partner, paper_delta=paper)
    return to_add, to_remove


def lock_stale(stale) -> list:
    """Lock up to FOLD_BATCH of these rows, in id order, and return (id, country, partner, source).

    The ids are picked without an order so PostgreSQL finds them through the
    partial index (sig_to_count / sig_to_uncount); ordering the locking query
    itself made it walk the whole primary key, 0.2 s at a million rows. The
    condition is applied again to the locked rows, so a row that changed
    while we waited for its lock is left to the next fold.
    """
    candidates = stale.values("pk")[:FOLD_BATCH]
    return list(
        stale.filter(pk__in=candidates).order_by("pk").select_for_update().values_list("pk", "country", "partner_id", "source")
    )


def campaigns_with_stale_counts() -> list[int]:
    """Campaigns with rows whose counted flag disagrees with their status (two partial-index scans)."""
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
    with transaction.atomic():
        lock_campaign_counts(campaign_id)
        # The totals hold exactly the rows flagged is_counted (folds keep them
        # so under the same lock); rows whose flag lags their status are the
        # next fold's business, not drift.
        groups = (
            Signature.objects.filter(campaign_id=campaign_id, is_counted=True)
            .values_list("country", "partner_id", "source")
            .annotate(n=Count("pk"))
            .order_by()
        )
        true_total = 0
        true_paper = 0
        true_countries = Counter()
        true_partners = Counter()
        for country, partner_id, source, n in groups:
            true_total += n
            true_countries[country] += n
            if partner_id:
                true_partners[partner_id] += n
            if source == Signature.Source.PAPER:
                true_paper += n
        corrections = correct_totals(campaign_id, true_total, true_countries, true_partners, paper_total=true_paper)
    if corrections:
        logger.warning(
            "reconcile corrected counts of campaign %s: %s",
            campaign_id,
            ", ".join(f"{name} {was} -> {now}" for name, (was, now) in corrections.items()),
        )
        counts_changed(campaign_id)
    return corrections
