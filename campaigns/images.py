"""The campaign's picture: checking an upload, remembering its size, and what the petition page needs to show it."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files import File
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from .models import Campaign

# What browsers show and FileExtensionValidator on Campaign.image lets through
# (some cameras' JPEGs open as MPO: a JPEG with more pictures behind the first).
FORMATS = {"PNG", "JPEG", "MPO", "WEBP"}
# Far beyond any sensible picture; stops a small file that claims to be enormous.
MAX_SIDE = 10_000


@dataclass(frozen=True)
class PageImage:
    url: str
    width: int | None
    height: int | None
    alt: str
    alt_language: str


def picture_size(upload: File) -> tuple[int, int]:
    """Width and height of an uploaded picture, read from its header; ValidationError if it is no picture we show."""
    position = upload.tell()
    try:
        upload.seek(0)
        with Image.open(upload) as picture:
            kind, (width, height) = picture.format, picture.size
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError(_("This file is not a picture we can show."), code="not_an_image") from None
    finally:
        upload.seek(position)
    if kind not in FORMATS:
        raise ValidationError(_("Please upload a PNG, JPEG or WebP picture."), code="format")
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        raise ValidationError(
            _("The picture is %(width)s × %(height)s pixels; each side may be at most %(max)s."),
            params={"width": width, "height": height, "max": MAX_SIDE},
            code="size",
        )
    return width, height


def attach_picture(campaign: Campaign, name: str, content: File) -> None:
    """Store a picture for the campaign with its size (the admin does the same through CampaignForm)."""
    campaign.image_width, campaign.image_height = picture_size(content)
    campaign.image.save(name, content, save=False)


def image_path(campaign: Campaign) -> str:
    """Where the picture is served, changing whenever the campaign is saved so caches take the new one."""
    path = reverse("campaign_image", kwargs={"slug": campaign.slug})
    return f"{path}?v={int(campaign.updated_at.timestamp())}"


def page_image(campaign: Campaign) -> PageImage | None:
    """The picture at the top of the petition, described in the page's language."""
    if not campaign.image:
        return None
    text = campaign.translated
    return PageImage(
        url=image_path(campaign),
        width=campaign.image_width,
        height=campaign.image_height,
        alt=text.image_alt,
        alt_language=text.image_alt_language,
    )
