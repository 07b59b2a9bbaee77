"""The signer's pages: the petition with its sign form, thanks, and the links in their emails."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from campaigns.selectors import get_signable_campaign, get_visible_campaign
from petition.httpcache import public_unless_personal
from petition.security import recaptcha_step

from . import services
from .links import InvalidToken, find_by_token
from .pages import blank_sign_form, confirmed_context, petition_context, share_context
from .signing import Outcome, attempt_signature


@recaptcha_step
@public_unless_personal
def petition_page(request, slug: str):
    campaign = get_visible_campaign(request, slug)
    return render(request, "campaigns/detail.html", petition_context(campaign, blank_sign_form(request, campaign)))


@csrf_exempt  # the page carries no token so it can be cached; signatures.signing checks the origin instead
@require_POST
@recaptcha_step
def sign(request, slug: str):
    campaign = get_signable_campaign(request, slug)
    attempt = attempt_signature(request, campaign)
    if attempt.outcome == Outcome.FROM_ANOTHER_SITE:
        return render(request, "403_csrf.html", status=403)
    if attempt.outcome == Outcome.CLOSED:
        return redirect(campaign)
    if attempt.outcome == Outcome.TOO_MANY:
        response = render(request, "429.html", {"campaign": campaign}, status=429)
        response["Retry-After"] = str(attempt.retry_after)
        return response
    if attempt.outcome == Outcome.INVALID:
        return render(request, "campaigns/detail.html", petition_context(campaign, attempt.form), status=400)
    # Signed, or a bot that gets what a signer gets.
    return redirect("signatures:thanks", slug=campaign.slug)


@public_unless_personal
def thanks(request, slug: str):
    """The same page whether the address was new, pending or confirmed."""
    campaign = get_visible_campaign(request, slug)
    return render(request, "signatures/thanks.html", {"campaign": campaign, **share_context(campaign)})


def confirm(request, pk: int, token: str):
    try:
        result, signature = services.confirm(pk, token)
    except InvalidToken:
        raise Http404 from None
    return render(request, "signatures/confirmed.html", {"result": result, **confirmed_context(signature)})


@require_http_methods(["GET", "POST"])
def withdraw(request, pk: int, token: str):
    try:
        if request.method == "POST":
            signature = services.withdraw(pk, token)
            return render(request, "signatures/withdrawn.html", {"campaign": signature.campaign})
        signature = find_by_token(pk, token)
    except InvalidToken:
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
        signature = find_by_token(pk, token)
    except InvalidToken:
        raise Http404 from None
    consent = signature.consents.select_related("organisation").filter(organisation_id=organisation_id).first()
    if consent is None:
        raise Http404
    context = {"campaign": signature.campaign, "signature": signature, "organisation": consent.organisation}
    if request.method == "POST":
        services.withdraw_consent(pk, organisation_id)
        return render(request, "signatures/unsubscribed.html", context)
    return render(request, "signatures/unsubscribe.html", {**context, "already": consent.withdrawn_at is not None})
