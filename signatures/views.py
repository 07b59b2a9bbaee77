from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_POST

from campaigns.httpcache import public_unless_personal
from campaigns.views import get_visible_campaign, petition_context, referring_partner
from petition.crossorigin import same_origin_post
from petition.ratelimits import over_limit, request_ip_hash
from petition.security import recaptcha_step

from . import services
from .forms import SignatureForm


@require_POST
@same_origin_post
@recaptcha_step
def sign(request, slug: str):
    campaign = get_visible_campaign(request, slug)
    if not campaign.accepts_signatures():
        return redirect(campaign)
    if over_limit(request, f"sign:{campaign.pk}", [settings.SIGN_RATE_BURST, settings.SIGN_RATE_SUSTAINED]):
        return render(request, "429.html", {"campaign": campaign}, status=429)
    partner = referring_partner(campaign, request.POST.get("via", ""))
    form = SignatureForm(request.POST, campaign=campaign, partner=partner)
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
            partner=form.partner,
            utm_source=data["utm_source"],
            utm_campaign=data["utm_campaign"],
            consents=form.consents(),
        ),
    )


@public_unless_personal
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
        if request.method == "POST":
            signature = services.withdraw(pk, token)
            return render(request, "signatures/withdrawn.html", {"campaign": signature.campaign})
        signature = services.find_by_token(pk, token)
    except services.InvalidToken:
        raise Http404 from None
    return render(
        request,
        "signatures/withdraw.html",
        {"campaign": signature.campaign, "signature": signature, "already": signature.status == "withdrawn"},
    )


@require_http_methods(["GET", "POST"])
def unsubscribe(request, pk: int, token: str, organisation_id: int):
    """Stop one organisation's emails; the signature itself stands."""
    try:
        signature = services.find_by_token(pk, token)
    except services.InvalidToken:
        raise Http404 from None
    consent = signature.consents.select_related("organisation").filter(organisation_id=organisation_id).first()
    if consent is None:
        raise Http404
    context = {"campaign": signature.campaign, "signature": signature, "organisation": consent.organisation}
    if request.method == "POST":
        services.withdraw_consent(pk, organisation_id)
        return render(request, "signatures/unsubscribed.html", context)
    return render(request, "signatures/unsubscribe.html", {**context, "already": consent.withdrawn_at is not None})
