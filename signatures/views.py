"""The signer's pages: the petition with its sign form, thanks, and the links in their emails."""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from campaigns.selectors import get_visible_campaign
from petition.crossorigin import posted_from_another_site
from petition.httpcache import public_unless_personal
from petition.lostdb import retry_on_lost_connection
from petition.methods import read_only_page
from petition.security import recaptcha_step

from . import services
from .links import MANAGE, UNSUBSCRIBE, UNSUBSCRIBE_ALL, InvalidToken, find_by_token, find_to_confirm, manage_path
from .models import Signature
from .pages import blank_sign_form, confirm_button_page, confirmed_page, petition_context, share_context
from .signing import Outcome, attempt_signature, signable_campaign


@read_only_page
@recaptcha_step
@public_unless_personal
@retry_on_lost_connection
def petition_page(request, slug: str):
    campaign = get_visible_campaign(request, slug)
    return render(request, "campaigns/detail.html", petition_context(campaign, blank_sign_form(request, campaign)))


@csrf_exempt  # the page carries no token so it can be cached; signatures.signing checks the origin instead
@require_POST
@recaptcha_step
@retry_on_lost_connection
def sign(request, slug: str):
    campaign, wait = signable_campaign(request, slug)
    attempt = attempt_signature(request, campaign, wait)
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


@read_only_page
@public_unless_personal
@retry_on_lost_connection
def thanks(request, slug: str):
    """The same page whether the address was new, pending or confirmed."""
    campaign = get_visible_campaign(request, slug)
    return render(request, "signatures/thanks.html", {"campaign": campaign, **share_context(campaign)})


ONE_CLICK_BODY = "One-Click"


def link_not_found(request):
    """A link that opens nothing: mistyped, cut, or the pending signature is gone."""
    return render(request, "signatures/link_expired.html", {"campaign": None}, status=404)


@csrf_exempt  # no cookie needed: signatures carry no session; the origin is checked instead
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@retry_on_lost_connection
def confirm(request, pk: int, token: str):
    """GET and HEAD show the button; only a person's POST from that page confirms.

    Link scanners and mailbox previews open every link in an email, so opening
    the link must change nothing.
    """
    if request.method == "POST":
        if posted_from_another_site(request):
            return render(request, "403_csrf.html", status=403)
        try:
            confirmation = services.confirm(pk, token)
        except InvalidToken:
            return link_not_found(request)
        return HttpResponse(confirmed_page(request, confirmation.signature, confirmation.result, confirmation.count))
    try:
        signature = find_to_confirm(pk, token)
    except InvalidToken:
        return link_not_found(request)
    if signature.status == Signature.Status.CONFIRMED:
        return HttpResponse(confirmed_page(request, signature, services.ConfirmResult.ALREADY_CONFIRMED))
    if signature.status != Signature.Status.PENDING:
        return HttpResponse(confirmed_page(request, signature, services.ConfirmResult.NOT_CONFIRMABLE))
    if not signature.campaign.accepts_confirmations():
        return render(request, "signatures/link_expired.html", {"campaign": signature.campaign}, status=410)
    return HttpResponse(confirm_button_page(request, signature.campaign))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def withdraw(request, pk: int, token: str):
    """The manage link: withdraw the signature and erase the data, only by pressing the button."""
    try:
        if request.method == "POST":
            signature = services.withdraw(pk, token)
            return render(request, "signatures/withdrawn.html", {"campaign": signature.campaign})
        signature = find_by_token(pk, token, MANAGE)
    except InvalidToken:
        return link_not_found(request)
    return render(
        request,
        "signatures/withdraw.html",
        {"campaign": signature.campaign, "signature": signature, "already": signature.status == "withdrawn"},
    )


@csrf_exempt  # RFC 8058: mailbox providers post without cookies; page posts are origin-checked below
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, pk: int, token: str, organisation_id: int | None = None):
    """Stop emails, never the signature.

    A one-click POST (body List-Unsubscribe=One-Click) from a mailbox's
    Unsubscribe button stops this organisation's emails, or with the "all"
    link every non-essential email. The page a person opens offers the choice
    per organisation and links to the separate withdraw page.
    """
    purpose = UNSUBSCRIBE if organisation_id is not None else UNSUBSCRIBE_ALL
    try:
        signature = find_by_token(pk, token, purpose, organisation_id)
    except InvalidToken:
        return link_not_found(request)
    consents = list(signature.consents.select_related("organisation").order_by("organisation__name"))
    if organisation_id is not None and not any(c.organisation_id == organisation_id for c in consents):
        return link_not_found(request)
    if request.method == "POST" and request.POST.get("List-Unsubscribe") == ONE_CLICK_BODY:
        if organisation_id is None:
            services.stop_emails(pk)
        else:
            services.withdraw_consent(pk, organisation_id)
        return HttpResponse(_("You are unsubscribed."), content_type="text/plain; charset=utf-8")
    if request.method == "POST":
        if posted_from_another_site(request):
            return render(request, "403_csrf.html", status=403)
        chosen = set(request.POST.getlist("organisation"))
        if organisation_id is not None and not chosen and not request.POST.get("everything"):
            # A bare POST to one organisation's link means that organisation.
            chosen = {str(organisation_id)}
        for consent in consents:
            if str(consent.organisation_id) in chosen:
                services.withdraw_consent(pk, consent.organisation_id)
        if request.POST.get("everything"):
            services.stop_emails(pk)
        signature.refresh_from_db()
        consents = list(signature.consents.select_related("organisation").order_by("organisation__name"))
    return render(
        request,
        "signatures/unsubscribe.html",
        {
            "campaign": signature.campaign,
            "signature": signature,
            "consents": consents,
            "highlighted": organisation_id,
            "stopped": signature.emails_stopped_at is not None,
            "saved": request.method == "POST",
            "manage_url": manage_path(signature),
        },
    )
