"""Which campaign a visitor may see, and which partner a link credits."""

import re
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Campaign, Organisation

SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def get_visible_campaign(request, slug: str) -> Campaign:
    """Drafts are 404 to the public; staff may preview them."""
    campaign = get_object_or_404(Campaign.objects.select_related("lead_organisation"), slug=slug)
    return visible(request, campaign)


def cached_campaign(slug: str) -> Campaign:
    """The campaign with its lead organisation, kept in the cache: what the sign and confirm steps read.

    On a busy day every signature asks for the same campaign: the cached copy
    (with its lead organisation) costs a quarter of the query's CPU. Saving or
    deleting a campaign or an organisation, and opening or closing a campaign,
    forget the copy at once (forget_campaigns), so a closed campaign stops
    taking signatures as soon as it is closed; anything else is at most
    CAMPAIGN_CACHE_SECONDS old, as the cached petition page is. Its counts
    are that old too: read them from the database where they matter.

    Each copy put in the cache gets a name of its own (Campaign.cached_copy),
    which the instances read back from the cache carry; an instance just
    loaded from the database carries none, since it is not yet known to be
    the cache's (with Redis down it never is).
    """
    key = campaign_cache_key(slug)
    return campaign_from_cache(slug, cache.get(key) if key else None)


def campaign_from_cache(slug: str, cached: Campaign | None) -> Campaign:
    """The campaign as the cache gave it (cached), else read from the database and put in the cache."""
    if cached is not None:
        return cached
    campaign = get_object_or_404(Campaign.objects.select_related("lead_organisation"), slug=slug)
    key = campaign_cache_key(slug)
    if key:
        campaign.cached_copy = secrets.token_hex(8)
        cache.set(key, campaign, settings.CAMPAIGN_CACHE_SECONDS)
        del campaign.cached_copy
    return campaign


def visible(request, campaign: Campaign) -> Campaign:
    if campaign.status == Campaign.Status.DRAFT and not request.user.is_staff:
        raise Http404
    return campaign


def campaign_cache_key(slug: str) -> str | None:
    if settings.CAMPAIGN_CACHE_SECONDS <= 0 or not SLUG.fullmatch(slug):
        return None
    return "campaign:" + slug


# What is kept rendered with a campaign in the cache, per language:
# campaigns.showcase's share block and organisations. Each name says what its
# value holds: a value of another shape gets another name, so that during a
# rolling deploy the previous release's processes never read what they
# cannot use. The pages a confirmation link opens were kept here until
# 2026-12-03 (now in each process, signatures.pages.kept_page): their keys
# are still forgotten, for the previous release's processes.
SHOWCASE_HTML = "showcase-html"
CAMPAIGN_PARTS = (SHOWCASE_HTML, "confirm-page-html", "confirmed-page-html")


def campaign_part_key(slug: str, part: str, language: str) -> str | None:
    """Where one of CAMPAIGN_PARTS is kept for the campaign in one language, forgotten with the campaign."""
    key = campaign_cache_key(slug)
    return f"{key}:{part}:{language}" if key else None


def forget_campaigns(slugs) -> None:
    """Drop the cached copies now, and again once this transaction commits: meanwhile a sign POST may cache the old state."""
    keys = []
    for slug in slugs:
        keys.append(campaign_cache_key(slug))
        keys += [campaign_part_key(slug, part, code) for part in CAMPAIGN_PARTS for code, _ in settings.LANGUAGES]
    keys = [key for key in keys if key]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


def referring_partner(campaign: Campaign, slug: str) -> Organisation | None:
    """The organisation a ?via= link credits; unknown slugs are ignored."""
    if not slug or len(slug) > 80 or not SLUG.fullmatch(slug):
        return None
    organisations = Organisation.objects.filter(slug=slug)
    return (
        organisations.filter(partner_campaigns=campaign).first()
        or organisations.filter(led_campaigns=campaign).first()
    )
