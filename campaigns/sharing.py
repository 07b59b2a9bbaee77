"""Share links and Open Graph addresses for a campaign.

Every share link is a plain link to the network's own share address: no
third-party script or image is loaded on our pages, so visiting a petition
tells no one else anything. Mastodon has no central share address, so its link
goes to a page of ours that asks which server the visitor uses.
"""

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _

from .images import image_path
from .models import Campaign

DEFAULT_IMAGE = "img/share-default.png"


@dataclass(frozen=True)
class ShareLink:
    network: str
    label: str
    href: str


def campaign_url(campaign: Campaign) -> str:
    """The petition's address in the active language, as people should pass it on."""
    return settings.SITE_URL + campaign.get_absolute_url()


def image_url(campaign: Campaign) -> str:
    """The picture networks show with a shared link: the campaign's own, else ours."""
    if campaign.image:
        return settings.SITE_URL + image_path(campaign)
    return settings.SITE_URL + static(DEFAULT_IMAGE)


def share_text(campaign: Campaign) -> str:
    return _("I have signed “%(title)s”. Will you sign too?") % {"title": campaign.translated.title}


def share_links(campaign: Campaign) -> list[ShareLink]:
    url = campaign_url(campaign)
    text = share_text(campaign)
    text_and_url = f"{text} {url}"
    return [
        ShareLink(
            "email",
            _("Email"),
            "mailto:?" + urlencode({"subject": campaign.translated.title, "body": text_and_url}, quote_via=quote),
        ),
        ShareLink("whatsapp", "WhatsApp", "https://wa.me/?" + urlencode({"text": text_and_url})),
        ShareLink("telegram", "Telegram", "https://t.me/share/url?" + urlencode({"url": url, "text": text})),
        ShareLink("mastodon", "Mastodon", reverse("campaigns:share_mastodon", kwargs={"slug": campaign.slug})),
        ShareLink("bluesky", "Bluesky", "https://bsky.app/intent/compose?" + urlencode({"text": text_and_url})),
        ShareLink("x", "X", "https://x.com/intent/post?" + urlencode({"text": text, "url": url})),
        ShareLink("facebook", "Facebook", "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url})),
        ShareLink(
            "linkedin", "LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url})
        ),
    ]


def mastodon_share_url(instance: str, campaign: Campaign) -> str:
    return f"https://{instance}/share?" + urlencode({"text": f"{share_text(campaign)} {campaign_url(campaign)}"})
