"""What the public count API says about each campaign, serialised once and kept in the cache.

Each campaign's JSON is kept with its ETag. A fold stores the fresh JSON as
soon as the totals change (campaigns.counting calls refresh_cached_payload);
readers only add a copy when none is there, so a reader holding an older copy
can never overwrite the fold's newer one. Copies expire after
COUNT_CACHE_SECONDS so edits in the admin show up soon. A cache hit answers
without touching the database, and nothing here reads the signatures table.
"""

import hashlib
import json
import logging
from dataclasses import asdict

from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from redis.exceptions import RedisError

from . import eci
from .models import Campaign

logger = logging.getLogger(__name__)

KEY_PREFIX = "counts:api:v1:"
LIST_KEY = KEY_PREFIX + "public-slugs"


def payload_key(slug: str) -> str:
    return f"{KEY_PREFIX}campaign:{slug}"


def last_modified(campaign: Campaign):
    """When the count was last folded or the campaign last edited, whichever is later."""
    return max(moment for moment in (campaign.count_updated_at, campaign.updated_at) if moment)


def campaign_payload(campaign: Campaign) -> dict:
    """What the API says about one campaign; reads counts, never signatures."""
    by_country = campaign.counts_by_country()
    upcoming = campaign.next_milestone()
    with translation.override(campaign.language):
        url = settings.SITE_URL + campaign.get_absolute_url()
    payload = {
        "slug": campaign.slug,
        "title": campaign.title,
        "url": url,
        "language": campaign.language,
        "status": campaign.phase(),
        "goal": campaign.goal,
        "signature_count": campaign.signature_count,
        "online_count": campaign.signature_count - campaign.paper_count,
        "paper_count": campaign.paper_count,
        "by_country": by_country,
        "next_milestone": asdict(upcoming) if upcoming else None,
        "updated_at": last_modified(campaign).isoformat(),
    }
    if campaign.eci_thresholds:
        payload["eci"] = eci.progress(by_country).as_dict()
    return payload


def quoted_digest(data: bytes) -> str:
    return f'"{hashlib.sha256(data).hexdigest()[:32]}"'


def cache_entry(campaign: Campaign) -> dict:
    body = json.dumps(campaign_payload(campaign), ensure_ascii=False, separators=(",", ":")).encode()
    return {
        "body": body,
        "etag": quoted_digest(body),
        "modified": last_modified(campaign),
    }


def refresh_cached_payload(campaign_id: int) -> None:
    """After a fold: store the fresh JSON so the next reader gets it (drafts are dropped)."""
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return
    try:
        if campaign.status == Campaign.Status.DRAFT:
            cache.delete(payload_key(campaign.slug))
        else:
            cache.set(payload_key(campaign.slug), cache_entry(campaign), timeout=settings.COUNT_CACHE_SECONDS)
    except (RedisError, OSError) as exc:
        logger.warning("cache unreachable (%s); readers will rebuild campaign %s", type(exc).__name__, campaign_id)


def cached_entries(slugs: list[str]) -> dict[str, dict]:
    """The cached JSON of these public campaigns, building (and caching) what is missing."""
    keys = {payload_key(slug): slug for slug in slugs}
    cache_up = True
    try:
        found = cache.get_many(list(keys))
    except (RedisError, OSError) as exc:
        logger.warning("cache unreachable (%s); answering from the database", type(exc).__name__)
        found, cache_up = {}, False
    entries = {keys[key]: entry for key, entry in found.items()}
    missing = [slug for slug in slugs if slug not in entries]
    if missing:
        for campaign in Campaign.objects.public().filter(slug__in=missing):
            entries[campaign.slug] = entry = cache_entry(campaign)
            if cache_up:
                try:
                    cache.add(payload_key(campaign.slug), entry, timeout=settings.COUNT_CACHE_SECONDS)
                except (RedisError, OSError):
                    cache_up = False
    return entries


def public_slugs() -> list[str]:
    """Slugs of the public campaigns, open ones before closed ones, newest first."""
    try:
        slugs = cache.get(LIST_KEY)
    except (RedisError, OSError):
        slugs = None
    if slugs is None:
        # Drafts are left out, so descending status puts "open" before "closed".
        slugs = list(Campaign.objects.public().order_by("-status", "-created_at").values_list("slug", flat=True))
        try:
            cache.set(LIST_KEY, slugs, timeout=settings.COUNT_CACHE_SECONDS)
        except (RedisError, OSError):
            pass
    return slugs
