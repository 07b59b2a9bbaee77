import json
import socket

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import http_date

from campaigns.models import Campaign
from campaigns.services import add_default_milestones
from signatures import fold
from tests.factories import make_campaign, make_signature

pytestmark = pytest.mark.django_db


def detail_url(campaign):
    return reverse("api:campaign-detail", kwargs={"slug": campaign.slug})


LIST_URL = "/api/campaigns/"


def counted_campaign(**fields):
    campaign = make_campaign(**fields)
    add_default_milestones(campaign)
    for country in ["DE", "DE", "FR", "GR"]:
        make_signature(campaign, status="confirmed", country=country)
    make_signature(campaign, status="pending", country="IT")
    fold.fold_counts(campaign.pk)
    campaign.refresh_from_db()
    return campaign


def test_it_lives_outside_the_language_prefixes():
    assert detail_url(make_campaign(slug="ban-it")) == "/api/campaigns/ban-it/"


def test_it_describes_a_campaign_and_its_count(client):
    campaign = counted_campaign(title="Ban it", goal=1000)

    response = client.get(detail_url(campaign))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data == {
        "slug": campaign.slug,
        "title": "Ban it",
        "url": f"http://testserver/en/{campaign.slug}/",
        "language": "en",
        "status": "open",
        "goal": 1000,
        "signature_count": 4,
        "online_count": 4,
        "paper_count": 0,
        "by_country": {"DE": 2, "FR": 1, "GR": 1},
        "next_milestone": {"threshold": 1000, "remaining": 996},
        "updated_at": campaign.count_updated_at.isoformat(),
    }


def test_it_adds_the_eci_thresholds_when_the_campaign_has_them_on(client):
    campaign = counted_campaign(eci_thresholds=True)

    eci = client.get(detail_url(campaign)).json()["eci"]

    assert eci["signatures_required"] == 1_000_000
    assert eci["member_states_required"] == 7
    assert eci["signatures_in_member_states"] == 4
    assert eci["member_states_reached"] == 0
    assert eci["met"] is False
    assert len(eci["member_states"]) == 27
    assert eci["member_states"]["GR"] == {"eu_code": "EL", "minimum": 15_120, "count": 1, "reached": False}


def test_it_lists_public_campaigns_and_hides_drafts(client):
    shown = counted_campaign()
    closed = counted_campaign(status=Campaign.Status.CLOSED)
    make_campaign(status=Campaign.Status.DRAFT)

    response = client.get(LIST_URL)

    assert response.status_code == 200
    campaigns = response.json()["campaigns"]
    assert [c["slug"] for c in campaigns] == [shown.slug, closed.slug]
    assert [c["status"] for c in campaigns] == ["open", "closed"]
    assert campaigns[0] == client.get(detail_url(shown)).json()


@pytest.mark.parametrize("slug", ["no-such-campaign", "draft"])
def test_it_answers_404_for_drafts_and_unknown_campaigns(client, slug):
    make_campaign(slug="draft", status=Campaign.Status.DRAFT)

    response = client.get(f"/api/campaigns/{slug}/")

    assert response.status_code == 404
    assert response.json() == {"error": "No public campaign has this slug."}
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("path", ["campaigns/a%0Ab/", "campaigns/%0A/", "campaigns/x/%0D%0A", "%0A", "no-such/"])
def test_any_other_address_under_the_api_answers_json(client, path):
    response = client.get(f"/api/{path}")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "openapi.json" in response.json()["error"]


@pytest.mark.parametrize("url", [LIST_URL, None])
def test_anyone_may_read_it_from_any_origin_and_cache_it_briefly(client, settings, url):
    settings.COUNT_FOLD_SECONDS = 5.0
    settings.COUNT_STALE_SECONDS = 60
    url = url or detail_url(counted_campaign())

    response = client.get(url, HTTP_ORIGIN="https://partner.example.net")

    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == "public, max-age=5, stale-while-revalidate=60"
    assert "Set-Cookie" not in response and "Cookie" not in response.get("Vary", "")


def test_it_answers_a_cors_preflight(client):
    response = client.options(detail_url(counted_campaign()), HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")

    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"


def test_it_refuses_writes(client):
    response = client.post(detail_url(counted_campaign()), {})

    assert response.status_code == 405


def test_it_answers_304_when_the_etag_still_matches(client):
    campaign = counted_campaign()
    first = client.get(detail_url(campaign))
    etag = first["ETag"]

    again = client.get(detail_url(campaign), HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert again["Cache-Control"].startswith("public, max-age=")
    assert again["Access-Control-Allow-Origin"] == "*"


def test_it_answers_304_when_not_modified_since(client):
    campaign = counted_campaign()
    first = client.get(detail_url(campaign))
    assert first["Last-Modified"] == http_date(max(campaign.updated_at, campaign.count_updated_at).timestamp())

    again = client.get(detail_url(campaign), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert again.status_code == 304


def test_a_fold_changes_the_answer_at_once(client):
    campaign = counted_campaign()
    first = client.get(detail_url(campaign))
    listed = client.get(LIST_URL)
    make_signature(campaign, status="confirmed", country="PL")

    fold.fold_counts(campaign.pk)

    again = client.get(detail_url(campaign), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert again.json()["signature_count"] == 5
    assert again.json()["by_country"]["PL"] == 1
    assert again["ETag"] != first["ETag"]
    relisted = client.get(LIST_URL, HTTP_IF_NONE_MATCH=listed["ETag"])
    assert relisted.status_code == 200
    assert relisted.json()["campaigns"][0]["signature_count"] == 5


def test_a_cached_answer_takes_no_database_query(client, django_assert_num_queries):
    campaign = counted_campaign()
    client.get(detail_url(campaign))
    client.get(LIST_URL)

    with django_assert_num_queries(0):
        assert client.get(detail_url(campaign)).json()["signature_count"] == 4
        assert client.get(LIST_URL).json()["campaigns"][0]["signature_count"] == 4


def test_building_an_answer_never_reads_the_signatures_table(client):
    campaign = counted_campaign(eci_thresholds=True)
    from django.core.cache import cache

    cache.clear()

    with CaptureQueriesContext(connection) as queries:
        client.get(detail_url(campaign))
        client.get(LIST_URL)

    assert queries.captured_queries
    assert not [q["sql"] for q in queries.captured_queries if "signatures_signature" in q["sql"]]


def test_it_answers_from_the_database_when_the_cache_is_down(client, settings):
    campaign = counted_campaign()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{dead_port}/1",
            "OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
        }
    }

    assert client.get(detail_url(campaign)).json()["signature_count"] == 4
    assert json.loads(client.get(LIST_URL).content)["campaigns"][0]["slug"] == campaign.slug
