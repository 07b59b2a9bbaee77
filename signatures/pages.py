"""What the petition page and the partner embed show around the sign form."""

from django.conf import settings

from campaigns import eci
from campaigns.models import Campaign
from campaigns.selectors import referring_partner
from campaigns.text import render_body

from .forms import SignatureForm


def petition_context(campaign: Campaign, form: SignatureForm) -> dict:
    text = campaign.translated
    return {
        "campaign": campaign,
        "text": text,
        "phase": campaign.phase(),
        "body_html": render_body(text.body),
        "form": form,
        "is_preview": campaign.status == Campaign.Status.DRAFT,
        "next_milestone": campaign.next_milestone(),
        "count_poll_seconds": settings.COUNT_POLL_SECONDS,
        "eci": eci.progress(campaign.counts_by_country()) if campaign.eci_thresholds else None,
        "page_path": campaign.get_absolute_url(),
    }


def blank_sign_form(request, campaign: Campaign) -> SignatureForm:
    """An empty form carrying the attribution of the link that brought the visitor."""
    initial = {
        "via": request.GET.get("via", "")[:80],
        "utm_source": request.GET.get("utm_source", "")[:100],
        "utm_campaign": request.GET.get("utm_campaign", "")[:100],
    }
    return SignatureForm(initial=initial, campaign=campaign, partner=referring_partner(campaign, initial["via"]))
