from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_POST

from campaigns.views import get_visible_campaign, petition_context, referring_partner
from petition.ratelimits import over_limit, request_ip_hash

from . import services
from .forms import SignatureForm


@require_POST
def sign(request, slug: str):
    campaign = get_visible_campaign(request, slug)
    if not campaign.accepts_signatures():
        return redirect(campaign)
    if over_limit(request, f"sign:{campaign.pk}", [settings.SIGN_RATE_BURST, settings.SIGN_RATE_SUSTAINED]):
        return render(request, "429.html", {"campaign": campaign}, status=429)
    form = SignatureForm(request.POST)
    if form.is_bot():
        # Looks the same to the bot as success, and records nothing.
        return redirect("signatures:thanks", slug=campaign.slug)
    if not form.is_valid():
        return render(request, "campaigns/detail.html", petition_context(request, campaign, form), status=400)
    record_signature(request, campaign, form)
    return redirect("signatures:thanks", slug=campaign.slug)


def record_signature(request, campaign, form: SignatureForm) -> None:
    """Hand a valid form to the sign service, in the page's language, crediting the referring partner."""
    data = form.cleaned_data
    services.sign(
        campaign,
        services.SignerDetails(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            country=data["country"],
            postcode=data["postcode"],
            contact_consent=data["contact_consent"],
            language=get_language() or settings.LANGUAGE_CODE,
            ip_hash=request_ip_hash(request),
            partner=referring_partner(campaign, data["via"]),
            utm_source=data["utm_source"],
            utm_campaign=data["utm_campaign"],
        ),
    )


def thanks(request, slug: str):
    """The same page whether the address was new, pending or confirmed."""
    campaign = get_visible_campaign(request, slug)
    return render(request, "signatures/thanks.html", {"campaign": campaign})


def confirm(request, pk: int, token: str):
    try:
        result, signature = services.confirm(pk, token)
    except services.InvalidToken:
        raise Http404 from None
    signature.campaign.refresh_from_db()
    return render(
        request,
        "signatures/confirmed.html",
        {"result": result, "campaign": signature.campaign, "signature": signature},
    )


@require_http_methods(["GET", "POST"])
def withdraw(request, pk: int, token: str):
    try:
        signature = services.find_by_token(pk, token)
    except services.InvalidToken:
        raise Http404 from None
    if request.method == "POST":
        signature = services.withdraw(pk, token)
        return render(request, "signatures/withdrawn.html", {"campaign": signature.campaign})
    return render(
        request,
        "signatures/withdraw.html",
        {"campaign": signature.campaign, "signature": signature, "already": signature.status == "withdrawn"},
    )
