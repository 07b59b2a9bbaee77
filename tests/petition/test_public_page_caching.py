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

    from petition.httpcache import public_unless_personal

    @public_unless_personal
    def view(request):
        messages = " ".join(str(message) for message in request._messages)
        return HttpResponse(f"<p>{messages}</p>")

    request = rf.get("/en/")
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    request._messages = CookieStorage(request)

    assert_private(view(request))


def test_the_server_keeps_a_public_page_for_a_few_seconds_and_renders_it_once(client, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PUBLIC_PAGE_CACHE_SECONDS = 5
    campaign = make_campaign(title="Before")
    first = client.get(campaign.get_absolute_url())
    Campaign.objects.filter(pk=campaign.pk).update(title="After")

    with CaptureQueriesContext(connection) as queries:
        second = client.get(campaign.get_absolute_url())

    assert b"Before" in second.content and b"After" not in second.content
    assert second.content == first.content
    assert len(queries) == 0
    assert second["Cache-Control"] == "public, max-age=5"
    assert b"After" in client.get(campaign.get_absolute_url() + "?via=x").content  # another address


def test_the_server_cache_never_serves_staff_a_stale_or_a_visitors_page(client, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 5
    campaign = make_campaign(title="Before")
    client.get(campaign.get_absolute_url())
    Campaign.objects.filter(pk=campaign.pk).update(title="After")
    staff = get_user_model().objects.create_user("staff2", password="x" * 16, is_staff=True)
    client.force_login(staff)

    assert b"After" in client.get(campaign.get_absolute_url()).content


def test_the_server_cache_keeps_neither_errors_nor_form_errors(client, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 5
    campaign = make_campaign()
    client.post(f"/en/{campaign.slug}/sign/", {"first_name": "Ada"})
    page = client.get(campaign.get_absolute_url())
    assert b"error-summary" not in page.content
    assert client.get("/en/no-such-petition/").status_code == 404
    make_campaign(slug="no-such-petition")
    assert client.get("/en/no-such-petition/").status_code == 200


def test_each_process_keeps_its_own_copy_of_a_page_until_its_time_in_the_cache_is_up(client, settings):
    import time

    from django.core.cache import cache

    settings.PUBLIC_PAGE_CACHE_SECONDS = 1
    campaign = make_campaign(title="Before")
    first = client.get(campaign.get_absolute_url())
    Campaign.objects.filter(pk=campaign.pk).update(title="After")
    cache.clear()  # Redis no longer has the page: what follows comes from this process

    second = client.get(campaign.get_absolute_url())
    assert b"Before" in second.content and second.content == first.content
    assert second["Cache-Control"] == "public, max-age=5"
    time.sleep(1.1)
    assert b"After" in client.get(campaign.get_absolute_url()).content


def test_a_copy_taken_from_the_cache_is_kept_only_for_the_rest_of_the_pages_time_there(client, settings):
    import time

    from django.core.cache import cache

    from petition.httpcache import LOCAL_PAGES

    settings.PUBLIC_PAGE_CACHE_SECONDS = 5
    campaign = make_campaign(title="Before")
    client.get(campaign.get_absolute_url())
    [key] = LOCAL_PAGES
    # As another process finds it: only in Redis, rendered 4.7 s ago.
    LOCAL_PAGES.clear()
    page = cache.get(key)
    page.rendered_at = time.time() - 4.7
    cache.set(key, page, 5)
    assert b"Before" in client.get(campaign.get_absolute_url()).content  # from Redis, and now kept here
    Campaign.objects.filter(pk=campaign.pk).update(title="After")
    cache.delete(key)

    assert b"Before" in client.get(campaign.get_absolute_url()).content  # this process's copy
    time.sleep(0.5)
    assert b"After" in client.get(campaign.get_absolute_url()).content  # 5 s after it was rendered, never later


def test_a_page_from_the_kept_copy_carries_what_a_rendered_one_does(client, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 5
    campaign = make_campaign()
    rendered, *kept = [client.get(campaign.get_absolute_url()) for _ in range(3)]
    for response in kept:
        assert response.content == rendered.content
        assert dict(response.headers) == dict(rendered.headers)  # the middleware's headers once each, none piled up


@pytest.mark.parametrize("page", ["/en/", "/en/{slug}/", "/en/{slug}/thanks/", "/en/{slug}/embed/", "/api/campaigns/{slug}/"])
def test_a_public_answer_that_deletes_a_stale_session_cookie_is_private(client, settings, page):
    # SessionMiddleware deletes a session cookie that names no session, after the view marked the
    # page public: a shared cache would have sent that deletion to every visitor, staff signed out.
    settings.PUBLIC_PAGE_SECONDS = 5
    campaign = make_campaign()
    client.cookies[settings.SESSION_COOKIE_NAME] = "stale"  # too short to name a session

    response = client.get(page.format(slug=campaign.slug))

    assert response.status_code == 200
    assert response.cookies[settings.SESSION_COOKIE_NAME].value == ""
    assert "public" not in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
