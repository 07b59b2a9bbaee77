"""The sign form on partners' websites, in an iframe.

A partner pastes a snippet (shown per partner in the admin) that frames
/<language>/<slug>/embed/?via=<partner>; signatures through it are credited to
that partner. The framed page reports its height to the snippet's script so
the iframe fits its content.

Cross-site framing rules out Django's CSRF cookie: browsers withhold a
SameSite=Lax cookie from a cross-site iframe, and Safari and private windows
withhold third-party cookies altogether. So the embed's sign step uses no
cookie: like the petition page's own form it relies on
petition.crossorigin, which refuses a POST that the browser says came from
another site (Sec-Fetch-Site, Origin or Referer); a page on another site
cannot forge those, so it cannot submit signatures through its visitors'
browsers.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import override
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from petition.crossorigin import origin_of, posted_from_another_site
from petition.ratelimits import over_limit

from .httpcache import public_unless_personal
from .models import Campaign, Organisation
from .views import get_visible_campaign, petition_context, referring_partner, sign_form_initial

HEIGHT_MESSAGE = "petition-embed:height"


def frame_ancestors(partner: Organisation | None) -> str:
    """Any HTTPS site may frame the form; a partner's own website may, whatever its scheme."""
    sources = ["'self'", "https:"]
    partner_origin = origin_of(partner.website) if partner else ""
    if partner_origin:
        sources.append(partner_origin)
    return " ".join(sources)


def framed(response, partner: Organisation | None):
    """Let other sites frame this response (everything else says X-Frame-Options: DENY)."""
    response.xframe_options_exempt = True
    response["Content-Security-Policy"] = f"frame-ancestors {frame_ancestors(partner)}"
    return response


def embed_url(name: str, campaign: Campaign, partner: Organisation | None) -> str:
    """An embed address that keeps naming the partner, so its website may still frame the answer."""
    query = f"?{urlencode({'via': partner.slug})}" if partner else ""
    return reverse(f"campaigns:{name}", kwargs={"slug": campaign.slug}) + query


def embed_context(request, campaign: Campaign, form, partner: Organisation | None) -> dict:
    return {
        **petition_context(request, campaign, form),
        "embed": True,
        "partner": partner,
        "form_action": embed_url("embed_sign", campaign, partner),
    }


@require_GET
@public_unless_personal  # no cookie and no CSRF token: the same for every visitor of a partner's page
def embed_form(request, slug: str):
    from signatures.forms import SignatureForm

    campaign = get_visible_campaign(request, slug)
    initial = sign_form_initial(request)
    partner = referring_partner(campaign, initial["via"])
    form = SignatureForm(initial=initial, campaign=campaign, partner=partner)
    return framed(render(request, "campaigns/embed.html", embed_context(request, campaign, form, partner)), partner)


@csrf_exempt  # protected by petition.crossorigin instead; see the module's docstring
@require_POST
def embed_sign(request, slug: str):
    from signatures.forms import SignatureForm
    from signatures.views import record_signature

    campaign = get_visible_campaign(request, slug)
    partner = referring_partner(campaign, request.GET.get("via", "") or request.POST.get("via", ""))
    context = {"campaign": campaign, "text": campaign.translated, "partner": partner}
    if posted_from_another_site(request):
        context["problem"] = "refused"
        return framed(render(request, "campaigns/embed_problem.html", context, status=403), partner)
    if not campaign.accepts_signatures():
        return framed(redirect(embed_url("embed", campaign, partner)), partner)
    if over_limit(request, f"sign:{campaign.pk}", [settings.SIGN_RATE_BURST, settings.SIGN_RATE_SUSTAINED]):
        context["problem"] = "busy"
        return framed(render(request, "campaigns/embed_problem.html", context, status=429), partner)
    form = SignatureForm(request.POST, campaign=campaign, partner=partner)
    if form.is_bot():
        return framed(redirect(embed_url("embed_thanks", campaign, partner)), partner)
    if not form.is_valid():
        return framed(
            render(request, "campaigns/embed.html", embed_context(request, campaign, form, partner), status=400),
            partner,
        )
    record_signature(request, campaign, form)
    return framed(redirect(embed_url("embed_thanks", campaign, partner)), partner)


@require_GET
@public_unless_personal
def embed_thanks(request, slug: str):
    campaign = get_visible_campaign(request, slug)
    partner = referring_partner(campaign, request.GET.get("via", ""))
    context = {"campaign": campaign, "text": campaign.translated, "embed": True, "partner": partner}
    return framed(render(request, "campaigns/embed_thanks.html", context), partner)


def snippets_by_organisation(campaign: Campaign) -> list[tuple[Organisation, str]]:
    """The lead and each partner with the snippet that credits signatures through it to them."""
    organisations = list(campaign.partners.all())
    if campaign.lead_organisation and campaign.lead_organisation not in organisations:
        organisations.insert(0, campaign.lead_organisation)
    return [(organisation, embed_snippet(campaign, organisation)) for organisation in organisations]


def embed_snippet(campaign: Campaign, organisation: Organisation | None, language: str | None = None) -> str:
    """The HTML a partner pastes into its website to show the sign form."""
    language = language or campaign.language
    with override(language):
        src = settings.SITE_URL + embed_url("embed", campaign, organisation)
        title = _("Sign the petition: %(title)s") % {"title": campaign.text_in(language).title}
    # The script's address has no content hash, so snippets keep working across deployments.
    script = settings.SITE_URL + settings.STATIC_URL + "js/embed.js"
    return (
        f'<iframe src="{escape(src)}" title="{escape(title)}" data-petition-embed width="100%" height="900" '
        f'style="border:0;max-width:40rem" loading="lazy"></iframe>\n'
        f'<script src="{escape(script)}" async></script>'
    )
