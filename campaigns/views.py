"""Campaign pages that hold no sign form: the list, partner links, sharing, the campaign picture.

The petition page itself, with its sign form, is signatures.views.petition_page.
"""

import mimetypes
from urllib.parse import urlencode

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render

from petition.attribution import VIA_MAX_LENGTH, link_attribution
from petition.httpcache import public_unless_personal
from petition.methods import read_only_page

from .forms import MastodonServerForm
from .models import Campaign
from .selectors import get_visible_campaign
from .sharing import mastodon_share_url


@read_only_page
@public_unless_personal
def campaign_list(request):
    # Drafts are left out, so descending status puts "open" before "closed".
    campaigns = Campaign.objects.public().prefetch_related("translations").order_by("-status", "-created_at")
    return render(request, "campaigns/list.html", {"campaigns": campaigns})


@read_only_page
def partner_link(request, slug: str, organisation: str):
    """/<campaign>/via/<organisation>/: the path form of ?via=, for links that must stay short."""
    campaign = get_visible_campaign(request, slug)
    attribution = {**link_attribution(request.GET), "via": organisation[:VIA_MAX_LENGTH]}
    query = urlencode([(name, value) for name, value in attribution.items() if value])
    return redirect(f"{campaign.get_absolute_url()}?{query}")


@read_only_page
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
        "campaigns/share_mastodon.html",
        {"campaign": campaign, "text": campaign.translated, "form": form, "share_url": share_url},
        status=400 if form.errors else 200,
    )


@read_only_page
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
