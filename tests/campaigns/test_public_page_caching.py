"""Anonymous pages are cacheable for a few seconds, but never with a CSRF token or anything personal."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from campaigns.models import Campaign
from tests.factories import make_campaign

pytestmark = pytest.mark.django_db


def assert_shared_cacheable(response, seconds):
    assert response.status_code == 200
    assert response["Cache-Control"] == f"public, max-age={seconds}"
    assert "Set-Cookie" not in response
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")
    assert b"csrfmiddlewaretoken" not in response.content


def assert_private(response):
    assert "public" not in response["Cache-Control"]
    assert "private" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]


def test_the_campaign_list_is_cacheable(client, settings):
    settings.PUBLIC_PAGE_SECONDS = 5
    make_campaign()

    assert_shared_cacheable(client.get("/en/"), 5)


@pytest.mark.parametrize("phase", ["closed", "upcoming"])
def test_a_petition_page_without_a_form_is_cacheable(client, settings, phase):
    settings.PUBLIC_PAGE_SECONDS = 7
    if phase == "closed":
        campaign = make_campaign(status=Campaign.Status.CLOSED)
    else:
        campaign = make_campaign(opens_at=timezone.now() + timezone.timedelta(days=3))
    assert campaign.phase() == phase

    response = client.get(campaign.get_absolute_url())

    assert b'class="sign-form"' not in response.content
    assert_shared_cacheable(response, 7)


def test_an_open_petition_page_with_its_sign_form_is_cacheable_because_the_form_holds_nothing_personal(
    client, settings
):
    settings.PUBLIC_PAGE_SECONDS = 5
    campaign = make_campaign()

    response = client.get(campaign.get_absolute_url())

    assert b'class="sign-form"' in response.content
    assert_shared_cacheable(response, 5)


def test_a_form_with_errors_is_never_cached(client):
    campaign = make_campaign()

    response = client.post(f"/en/{campaign.slug}/sign/", {"first_name": "Ada"})

    assert response.status_code == 400
    assert "public" not in response.get("Cache-Control", "")


def test_a_staff_preview_of_a_draft_stays_private(client):
    staff = get_user_model().objects.create_user("staff", password="x" * 16, is_staff=True)
    client.force_login(staff)
    campaign = make_campaign(status=Campaign.Status.DRAFT)

    response = client.get(campaign.get_absolute_url())

    assert response.status_code == 200
    assert_private(response)


def test_a_page_that_showed_a_message_stays_private(rf):
    from importlib import import_module

    from django.conf import settings
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpResponse

    from campaigns.httpcache import public_unless_personal

    @public_unless_personal
    def view(request):
        messages = " ".join(str(message) for message in request._messages)
        return HttpResponse(f"<p>{messages}</p>")

    request = rf.get("/en/")
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    request._messages = CookieStorage(request)

    assert_private(view(request))
