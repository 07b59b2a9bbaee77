"""Who is behind a campaign and how to pass it on, kept in the cache per campaign and language.

Every confirmed signer sees the same partners and share links, which change
only when staff edit the campaign or an organisation: those edits forget the
copies (selectors.forget_campaigns), and anything else is at most
CAMPAIGN_CACHE_SECONDS old, as the cached campaign is.
"""

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language

from . import sharing
from .models import Campaign
from .selectors import campaign_part_key


def partners_and_sharing(campaign: Campaign) -> dict:
    """The partners other than the lead, by name, and the share block's links in the active language."""
    key = campaign_part_key(campaign.slug, get_language() or settings.LANGUAGE_CODE)
    parts = cache.get(key) if key else None
    if parts is None:
        partners = campaign.partners.order_by("name")
        if campaign.lead_organisation_id:
            partners = partners.exclude(pk=campaign.lead_organisation_id)
        parts = {
            "partners": list(partners),
            "share_links": sharing.share_links(campaign),
            "share_page_url": sharing.campaign_url(campaign),
        }
        if key:
            cache.set(key, parts, settings.CAMPAIGN_CACHE_SECONDS)
    return parts
