"""Who is behind a campaign and how to pass it on, rendered once per campaign and language and kept in the cache.

Every confirmed signer sees the same partners and share links, which change
only when staff edit the campaign or an organisation: those edits forget the
copies (selectors.forget_campaigns), and anything else is at most
CAMPAIGN_CACHE_SECONDS old, as the cached campaign is. The fragment is kept
rendered, not as the objects it is made of: rendering the share block and the
organisations cost more CPU than the rest of the confirmed page.
"""

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from . import sharing
from .models import Campaign
from .selectors import SHOWCASE_HTML, campaign_part_key

SHOWCASE_TEMPLATE = "campaigns/_showcase.html"


def showcase_html(campaign: Campaign) -> SafeString:
    """The share block and the organisations behind the petition, in the active language."""
    key = campaign_part_key(campaign.slug, SHOWCASE_HTML, get_language() or settings.LANGUAGE_CODE)
    html = cache.get(key) if key else None
    if html is None:
        html = render_to_string(SHOWCASE_TEMPLATE, showcase_context(campaign))
        if key:
            cache.set(key, html, settings.CAMPAIGN_CACHE_SECONDS)
    return html


def showcase_context(campaign: Campaign) -> dict:
    """The lead, the partners other than the lead by name, and the share block's links in the active language."""
    partners = campaign.partners.order_by("name")
    if campaign.lead_organisation_id:
        partners = partners.exclude(pk=campaign.lead_organisation_id)
    return {
        "lead_organisation": campaign.lead_organisation,
        "partners": list(partners),
        "share_links": sharing.share_links(campaign),
        "share_page_url": sharing.campaign_url(campaign),
    }
