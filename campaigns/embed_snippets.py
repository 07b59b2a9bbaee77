"""The snippet a partner pastes into its website to show the sign form in an iframe, and who may frame it.

The framed pages themselves are signatures.embed. The snippet's script
(static/js/embed.js) resizes the iframe to the height the framed page reports.

Only the websites registered for the campaign's lead organisation and
partners may frame the form (a form framed anywhere invites click-tricking
and forged partner credit), unless staff tick the campaign's
embed_on_any_site, which lets any HTTPS site frame it.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import override

from petition.crossorigin import origin_of

from .models import Campaign, Organisation


def embed_url(name: str, campaign: Campaign, partner: Organisation | None) -> str:
    """An embed address that keeps naming the partner, so its website may still frame the answer."""
    query = f"?{urlencode({'via': partner.slug})}" if partner else ""
    return reverse(f"signatures:{name}", kwargs={"slug": campaign.slug}) + query


def embedding_organisations(campaign: Campaign) -> list[Organisation]:
    """The lead, then the partners: the organisations with a snippet."""
    organisations = list(campaign.partners.all())
    if campaign.lead_organisation and campaign.lead_organisation not in organisations:
        organisations.insert(0, campaign.lead_organisation)
    return organisations


def embed_frame_ancestors(campaign: Campaign) -> list[str]:
    """The frame-ancestors sources of the campaign's embed pages."""
    sources = ["'self'"]
    for organisation in embedding_organisations(campaign):
        origin = origin_of(organisation.website)
        if origin and origin not in sources:
            sources.append(origin)
    if campaign.embed_on_any_site:
        sources.append("https:")
    return sources


def snippets_by_organisation(campaign: Campaign) -> list[tuple[Organisation, str]]:
    """The lead and each partner with the snippet that credits signatures through it to them."""
    return [(organisation, embed_snippet(campaign, organisation)) for organisation in embedding_organisations(campaign)]


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
