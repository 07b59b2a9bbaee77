import mimetypes
import re
from urllib.parse import urlencode

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from petition.security import recaptcha_step

from . import counting, eci, milestones
from .forms import MastodonServerForm
from .httpcache import public_unless_personal
from .models import Campaign, Organisation
from .sharing import mastodon_share_url
from .text import render_body


@public_unless_personal
def campaign_list(request):
    # Drafts are left out, so descending status puts "open" before "closed".
    campaigns = Campaign.objects.public().prefetch_related("translations").order_by("-status", "-created_at")
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
    text = campaign.translated
    return {
        "campaign": campaign,
        "text": text,
        "phase": campaign.phase(),
        "body_html": render_body(text.body),
        "form": form,
        "is_preview": campaign.status == Campaign.Status.DRAFT,
        "next_milestone": milestones.next_milestone(campaign),
        "count_poll_seconds": settings.COUNT_POLL_SECONDS,
        "eci": eci.progress(counting.counts_by_country(campaign.pk)) if campaign.eci_thresholds else None,
        "page_path": campaign.get_absolute_url(),
    }


def sign_form_initial(request) -> dict:
    """Attribution carried from the petition link into the form."""
    return {
        "via": request.GET.get("via", "")[:80],
        "utm_source": request.GET.get("utm_source", "")[:100],
        "utm_campaign": request.GET.get("utm_campaign", "")[:100],
    }


@recaptcha_step
@public_unless_personal
def campaign_detail(request, slug: str):
    from signatures.forms import SignatureForm

    campaign = get_visible_campaign(request, slug)
    initial = sign_form_initial(request)
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


@require_GET
def share_mastodon(request, slug: str):
    """Mastodon has no central share address: ask for the visitor's server, then link to it.

    The answer is a link to click, never a redirect, so this page cannot be
    used to bounce visitors to an address someone else chose.
    """
    campaign = get_visible_campaign(request, slug)
    form = MastodonServerForm(request.GET or None)
    share_url = mastodon_share_url(form.cleaned_data["server"], campaign) if form.is_valid() else None
    return render(
        request,
        "signatures/share_mastodon.html",
        {"campaign": campaign, "text": campaign.translated, "form": form, "share_url": share_url},
        status=400 if form.errors else 200,
    )


@require_GET
def campaign_image(request, slug: str):
    """The campaign's share picture; media files are not otherwise served."""
    campaign = get_object_or_404(Campaign.objects.public(), slug=slug)
    if not campaign.image:
        raise Http404
    try:
        image = campaign.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = mimetypes.guess_type(campaign.image.name)[0] or "application/octet-stream"
    response = FileResponse(image, content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response
