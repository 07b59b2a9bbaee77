"""The sign form on partners' websites, in an iframe.

A partner pastes a snippet (campaigns.embed_snippets, shown per partner in
the admin) that frames /<language>/<slug>/embed/?via=<partner>; signatures
through it are credited to that partner. The framed page reports its height to
the snippet's script so the iframe fits its content.

Cross-site framing rules out Django's CSRF cookie: browsers withhold a
SameSite=Lax cookie from a cross-site iframe, and Safari and private windows
withhold third-party cookies altogether. So the embed's sign step uses no
cookie: like the petition page's own form it is signatures.signing, which
refuses a POST that the browser says came from another site (Sec-Fetch-Site,
Origin or Referer); a page on another site cannot forge those, so it cannot
submit signatures through its visitors' browsers.

Every embed response carries the site's full Content-Security-Policy
(petition.security) with frame-ancestors naming the sites that may frame it:
campaigns.embed_snippets.embed_frame_ancestors.
"""

from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from campaigns.embed_snippets import embed_frame_ancestors, embed_url
from campaigns.models import Campaign
from campaigns.selectors import get_visible_campaign, referring_partner
from petition.httpcache import public_unless_personal
from petition.lostdb import retry_on_lost_connection
from petition.methods import read_only_page
from petition.security import allow_framing

from .forms import SignatureForm
from .pages import blank_sign_form, petition_context, share_context
from .signing import Outcome, attempt_signature, posted_via, signable_campaign


def framed(response, campaign: Campaign):
    """Let the campaign's organisations' websites frame this response (everything else is framed by nobody)."""
    return allow_framing(response, embed_frame_ancestors(campaign))


def embed_context(campaign: Campaign, form: SignatureForm) -> dict:
    return {
        **petition_context(campaign, form),
        "embed": True,
        "partner": form.partner,
        "form_action": embed_url("embed_sign", campaign, form.partner),
    }


@read_only_page
@public_unless_personal  # no cookie and no CSRF token: the same for every visitor of a partner's page
def embed_form(request, slug: str):
    campaign = get_visible_campaign(request, slug)
    form = blank_sign_form(request, campaign)
    return framed(render(request, "campaigns/embed.html", embed_context(campaign, form)), campaign)


@csrf_exempt  # protected by signatures.signing instead; see the module's docstring
@require_POST
@retry_on_lost_connection
def embed_sign(request, slug: str):
    campaign, wait = signable_campaign(request, slug)
    partner = referring_partner(campaign, posted_via(request))
    attempt = attempt_signature(request, campaign, wait)
    problem_context = {"campaign": campaign, "text": campaign.translated, "partner": partner}
    if attempt.outcome == Outcome.FROM_ANOTHER_SITE:
        response = render(request, "campaigns/embed_problem.html", {**problem_context, "problem": "refused"}, status=403)
    elif attempt.outcome == Outcome.CLOSED:
        response = redirect(embed_url("embed", campaign, partner))
    elif attempt.outcome == Outcome.TOO_MANY:
        response = render(request, "campaigns/embed_problem.html", {**problem_context, "problem": "busy"}, status=429)
        response["Retry-After"] = str(attempt.retry_after)
    elif attempt.outcome == Outcome.INVALID:
        response = render(request, "campaigns/embed.html", embed_context(campaign, attempt.form), status=400)
    else:
        response = redirect(embed_url("embed_thanks", campaign, partner))
    return framed(response, campaign)


@read_only_page
@public_unless_personal
def embed_thanks(request, slug: str):
    campaign = get_visible_campaign(request, slug)
    partner = referring_partner(campaign, request.GET.get("via", ""))
    context = {
        "campaign": campaign, "text": campaign.translated, "embed": True, "partner": partner, **share_context(campaign)
    }
    return framed(render(request, "campaigns/embed_thanks.html", context), campaign)
