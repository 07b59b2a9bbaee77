"""The snippet a partner pastes into its website to show the sign form in an iframe.

The framed pages themselves are signatures.embed. The snippet's script
(static/js/embed.js) resizes the iframe to the height the framed page reports.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import override

from .models import Campaign, Organisation


def embed_url(name: str, campaign: Campaign, partner: Organisation | None) -> str:
    """An embed address that keeps naming the partner, so its website may still frame the answer."""
    query = f"?{urlencode({'via': partner.slug})}" if partner else ""
    return reverse(f"signatures:{name}", kwargs={"slug": campaign.slug}) + query


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
