import re
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from petition.security import recaptcha_step

from . import counting, eci, milestones
from .httpcache import public_unless_personal
from .models import Campaign, Organisation
from .text import render_body


@public_unless_personal
def campaign_list(request):
    # Drafts are left out, so descending status puts "open" before "closed".
    campaigns = Campaign.objects.public().order_by("-status", "-created_at")
    return render(request, "campaigns/list.html", {"campaigns": campaigns})


def get_visible_campaign(request, slug: str) -> Campaign:
    """Drafts are 404 to the public; staff may preview them."""
    campaign = get_object_or_404(Campaign.objects.select_related("lead_organisation"), slug=slug)
    if campaign.status == Campaign.Status.DRAFT and not request.user.is_staff:
        raise Http404
    return campaign


SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def referring_partner(campaign: Campaign, slug: str) -> Organisation | None:
    """The organisation a ?via= link credits; unknown slugs are ignored."""
    if not slug or len(slug) > 80 or not SLUG.fullmatch(slug):
        return None
    organisations = Organisation.objects.filter(slug=slug)
    return (
        organisations.filter(partner_campaigns=campaign).first()
        or organisations.filter(led_campaigns=campaign).first()
    )


def petition_context(request, campaign: Campaign, form) -> dict:
    return {
        "campaign": campaign,
        "phase": campaign.phase(),
        "body_html": render_body(campaign.body),
        "form": form,
        "is_preview": campaign.status == Campaign.Status.DRAFT,
        "next_milestone": milestones.next_milestone(campaign),
        "count_poll_seconds": settings.COUNT_POLL_SECONDS,
        "eci": eci.progress(counting.counts_by_country(campaign.pk)) if campaign.eci_thresholds else None,
    }


@recaptcha_step
@public_unless_personal
def campaign_detail(request, slug: str):
    from signatures.forms import SignatureForm

    campaign = get_visible_campaign(request, slug)
    initial = {
        "via": request.GET.get("via", "")[:80],
        "utm_source": request.GET.get("utm_source", "")[:100],
        "utm_campaign": request.GET.get("utm_campaign", "")[:100],
    }
    partner = referring_partner(campaign, initial["via"])
    form = SignatureForm(initial=initial, campaign=campaign, partner=partner)
    return render(request, "campaigns/detail.html", petition_context(request, campaign, form))


def partner_link(request, slug: str, organisation: str):
    """/<campaign>/via/<organisation>/: the path form of ?via=, for links that must stay short."""
    campaign = get_visible_campaign(request, slug)
    query = {"via": organisation[:80]}
    for name in ("utm_source", "utm_campaign"):
        if request.GET.get(name):
            query[name] = request.GET[name][:100]
    return redirect(f"{campaign.get_absolute_url()}?{urlencode(query)}")
