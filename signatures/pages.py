"""What the signer's pages show: the petition around its sign form, the share block, the page after confirming."""

from django.conf import settings

from campaigns import eci, sharing
from campaigns.images import page_image
from campaigns.models import Campaign
from campaigns.selectors import referring_partner
from campaigns.showcase import showcase_html
from campaigns.text import render_body

from .attribution import clean_attribution
from .forms import SignatureForm
from .models import Signature


def share_context(campaign: Campaign) -> dict:
    """The share block's links and the address to copy (templates/signatures/share.html)."""
    return {"share_links": sharing.share_links(campaign), "share_page_url": sharing.campaign_url(campaign)}


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
        "image": page_image(campaign),
        **share_context(campaign),
    }


def blank_sign_form(request, campaign: Campaign) -> SignatureForm:
    """An empty form carrying the attribution of the link that brought the visitor."""
    initial = {
        "via": request.GET.get("via", "")[:80],
        "utm_source": clean_attribution(request.GET.get("utm_source", "")),
        "utm_campaign": clean_attribution(request.GET.get("utm_campaign", "")),
    }
    return SignatureForm(initial=initial, campaign=campaign, partner=referring_partner(campaign, initial["via"]))


def count_with(signature: Signature) -> int:
    """The campaign's count as it stands with this signature in it, whether or not a fold has taken it yet.

    A confirmed row that no fold has counted is one more than the stored
    count; once counted it is in the stored count already. Status, flag and
    count come from one statement, so they describe the same moment: a fold
    flips the flag and adds to the count in one transaction, and one
    statement never sees half of it.
    """
    row = (
        Signature.objects.filter(pk=signature.pk)
        .values_list("status", "is_counted", "campaign__signature_count")
        .first()
    )
    if row is None:  # deleted meanwhile: it is in no count
        return Campaign.objects.values_list("signature_count", flat=True).get(pk=signature.campaign_id)
    status, is_counted, stored = row
    return stored + 1 if status == Signature.Status.CONFIRMED and not is_counted else stored


def confirmed_context(signature: Signature, count: int | None = None) -> dict:
    """What the page after a confirmation link shows: the count with this signature, sharing and who is behind it.

    The caller adds "result" (a signatures.services.ConfirmResult), and the
    count when it has it (signatures.services.confirm reads it as it
    confirms). The campaign may be the cached copy (links.find_to_confirm),
    whose count may be old, so without a count given it is read from the
    database.
    """
    campaign = signature.campaign
    return {
        "campaign": campaign,
        "signature": signature,
        "count": count_with(signature) if count is None else count,
        "showcase_html": showcase_html(campaign),
    }
