"""The campaign's picture on the petition page: checked on upload, sized so nothing shifts, described per language."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from campaigns.models import Campaign, CampaignTranslation
from tests.factories import make_campaign, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def picture_bytes(width=600, height=315, kind="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (11, 93, 59)).save(buffer, kind)
    return buffer.getvalue()


@pytest.fixture
def manager_client(client):
    client.force_login(make_staff("Campaign managers"))
    return client


def admin_post(client, campaign=None, **fields):
    """The campaign form as a campaign manager submits it in the admin."""
    data = {
        "title": "Ban it", "slug": "ban-it", "summary": "", "body": "", "language": "en", "goal": "1000",
        "staff_emails": "", "retention_days": "365", "image_alt": "",
        "milestones-TOTAL_FORMS": "0", "milestones-INITIAL_FORMS": "0",
        "translations-TOTAL_FORMS": "0", "translations-INITIAL_FORMS": "0", **fields,
    }  # fmt: skip
    if campaign is None:
        return client.post(reverse("admin:campaigns_campaign_add"), data)
    return client.post(reverse("admin:campaigns_campaign_change", args=[campaign.pk]), data)


def field_errors(response, name) -> list[str]:
    return list(response.context["adminform"].form.errors.get(name, []))


def test_an_uploaded_picture_keeps_its_size(manager_client):
    upload = SimpleUploadedFile("faces.png", picture_bytes(800, 420), "image/png")
    response = admin_post(manager_client, image=upload, image_alt="A crowd of people.")
    assert response.status_code == 302
    campaign = Campaign.objects.get(slug="ban-it")
    assert (campaign.image_width, campaign.image_height) == (800, 420)
    assert campaign.image.name.startswith("campaigns/faces")


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("fake.png", b"\x89PNG\r\n\x1a\nnot really a picture", "This file is not a picture we can show."),
        ("empty.png", b"", "The submitted file is empty."),
        ("animation.png", picture_bytes(kind="GIF"), "Please upload a PNG, JPEG or WebP picture."),
        ("huge.png", picture_bytes(12_000, 2), "each side may be at most 10000"),
        ("script.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "not a picture"),
    ],
)
def test_it_refuses_what_is_not_a_picture_it_can_show(manager_client, name, content, message):
    response = admin_post(manager_client, image=SimpleUploadedFile(name, content), image_alt="Something.")
    assert response.status_code == 200
    assert message in " ".join(field_errors(response, "image"))
    assert not Campaign.objects.exists()


def test_a_picture_needs_a_description(manager_client):
    upload = SimpleUploadedFile("faces.png", picture_bytes(), "image/png")
    response = admin_post(manager_client, image=upload, image_alt="  ")
    assert field_errors(response, "image_alt") == ["Describe the picture for people who cannot see it."]


def test_clearing_the_picture_forgets_its_size(manager_client):
    campaign = make_campaign(slug="ban-it", image_width=10, image_height=5, image_alt="Old.")
    campaign.image.save("old.png", ContentFile(picture_bytes()), save=True)
    response = admin_post(manager_client, campaign, **{"image-clear": "on", "image_alt": "Old."})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert not campaign.image and campaign.image_width is None and campaign.image_height is None


def test_the_petition_page_shows_the_picture_with_its_size_and_description(client):
    campaign = make_campaign(slug="with-picture", image_width=1200, image_height=630, image_alt="A crowd under a camera.")
    campaign.image.save("faces.png", ContentFile(picture_bytes(1200, 630)), save=True)

    page = client.get("/en/with-picture/").text

    image_src = reverse("campaign_image", kwargs={"slug": "with-picture"})
    assert (
        f'<img src="{image_src}?v={int(campaign.updated_at.timestamp())}" alt="A crowd under a camera." '
        'width="1200" height="630">'
    ) in page
    assert '<meta property="og:image:alt" content="A crowd under a camera.">' in page
    assert client.get(image_src).status_code == 200


def test_the_description_follows_the_language_and_says_which_it_is_in(client):
    campaign = make_campaign(slug="described", image_width=600, image_height=315, image_alt="A crowd under a camera.")
    campaign.image.save("faces.png", ContentFile(picture_bytes()), save=True)
    CampaignTranslation.objects.create(
        campaign=campaign, language="de", title="Verbietet es", image_alt="Eine Menge unter einer Kamera."
    )
    CampaignTranslation.objects.create(campaign=campaign, language="fr", title="Interdisez-le")

    german = client.get("/de/described/").text
    french = client.get("/fr/described/").text

    assert 'alt="Eine Menge unter einer Kamera." width="600"' in german
    # No French description yet: the campaign's own, marked as English for screen readers.
    assert 'alt="A crowd under a camera." lang="en" width="600"' in french


def test_a_picture_stored_before_sizes_were_kept_is_still_shown_without_shifting(client):
    campaign = make_campaign(slug="old-picture", image_alt="A crowd.")
    campaign.image.save("faces.png", ContentFile(picture_bytes()), save=True)

    page = client.get("/en/old-picture/").text

    assert 'alt="A crowd." class="unsized">' in page


def test_a_campaign_without_a_picture_shows_none(client):
    make_campaign(slug="no-picture")
    assert "petition-image" not in client.get("/en/no-picture/").text


def test_the_demo_petition_has_a_described_picture_of_its_own():
    call_command("seed_demo", stdout=io.StringIO())
    campaign = Campaign.objects.get(slug="ban-biometric-mass-surveillance")
    assert (campaign.image_width, campaign.image_height) == (1200, 630)
    assert campaign.image_alt.startswith("Drawing: a crowd")
    assert campaign.text_in("de").image_alt.startswith("Zeichnung")
    with campaign.image.open("rb") as stored, Image.open(stored) as picture:
        assert picture.format == "PNG" and picture.size == (1200, 630)

    call_command("seed_demo", stdout=io.StringIO())  # again: the same picture, not a second copy
    assert Campaign.objects.get(pk=campaign.pk).image.name == campaign.image.name
