"""Which campaign a visitor may see, and which partner a link credits."""

import re

from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Campaign, Organisation

SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def get_visible_campaign(request, slug: str) -> Campaign:
    """Drafts are 404 to the public; staff may preview them."""
    campaign = get_object_or_404(Campaign.objects.select_related("lead_organisation"), slug=slug)
    if campaign.status == Campaign.Status.DRAFT and not request.user.is_staff:
        raise Http404
    return campaign


def referring_partner(campaign: Campaign, slug: str) -> Organisation | None:
    """The organisation a ?via= link credits; unknown slugs are ignored."""
    if not slug or len(slug) > 80 or not SLUG.fullmatch(slug):
        return None
    organisations = Organisation.objects.filter(slug=slug)
    return (
        organisations.filter(partner_campaigns=campaign).first()
        or organisations.filter(led_campaigns=campaign).first()
    )
