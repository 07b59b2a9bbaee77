"""The campaign dashboard: totals, rate, a chart without JavaScript, countries, partners, sources."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from signatures.dashboard import axis_values, day_chart, fill_days, nice_ceiling
from signatures.fold import fold_counts
from signatures.models import Signature
from tests.factories import make_campaign, make_organisation, make_signature, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client):
    client.force_login(make_staff("Campaign managers"))
    return client


def dashboard_url(campaign):
    return reverse("admin:campaigns_campaign_dashboard", args=[campaign.pk])


def add_signatures(campaign, count, partner=None, **fields):
    Signature.objects.bulk_create(
        [
            Signature(
                campaign=campaign, first_name="A", last_name="B", email=f"{n}-{count}@x.example",
                email_canonical=f"{n}-{count}@x.example", country=["DE", "FR", "PL"][n % 3], partner=partner,
                utm_source=["newsletter", "mastodon", ""][n % 3], utm_campaign="spring", **fields,
            )
            for n in range(count)
        ]
    )  # fmt: skip


def test_it_shows_totals_rate_countries_partners_and_sources(manager_client):
    partner = make_organisation(name="Privacy Friends")
    idle_partner = make_organisation(name="Quiet Partner")
    campaign = make_campaign()
    campaign.partners.add(partner, idle_partner)
    add_signatures(campaign, 6, partner=partner, status="confirmed", confirmed_at=timezone.now())
    add_signatures(campaign, 3)
    make_signature(campaign, status="rejected", confirmed_at=timezone.now())
    make_signature(campaign, status="withdrawn")
    fold_counts(campaign.pk)
    response = manager_client.get(dashboard_url(campaign))
    dashboard = response.context["dashboard"]
    totals = dashboard["totals"]
    assert (totals["total"], totals["pending"], totals["confirmed"], totals["rejected"], totals["withdrawn"]) == (
        11, 3, 6, 1, 1,
    )  # fmt: skip
    assert round(totals["confirmation_rate"], 1) == round(100 * 7 / 11, 1)
    assert {row["code"]: row["count"] for row in dashboard["countries"]["rows"]} == {"DE": 2, "FR": 2, "PL": 2}
    assert [(row["organisation"] and row["organisation"].name, row["count"]) for row in dashboard["partners"]] == [
        ("Privacy Friends", 6),
        ("Quiet Partner", 0),
        (None, 0),
    ]
    assert [(row["utm_source"], row["signatures"], row["confirmed"]) for row in dashboard["sources"]] == [
        ("", 3, 2),
        ("mastodon", 3, 2),
        ("newsletter", 3, 2),
    ]
    page = response.content.decode()
    assert "<svg" in page and "<rect" in page and "<script" not in page.split("<svg")[1].split("</svg>")[0]
    assert "63.6 %" in page


def test_it_makes_as_many_queries_for_200_signatures_as_for_10(manager_client):
    partner = make_organisation()
    campaign = make_campaign(eci_thresholds=True)
    campaign.partners.add(partner)
    add_signatures(campaign, 10, partner=partner, status="confirmed", confirmed_at=timezone.now())
    fold_counts(campaign.pk)
    manager_client.get(dashboard_url(campaign))
    with CaptureQueriesContext(connection) as few:
        manager_client.get(dashboard_url(campaign))
    add_signatures(campaign, 190, partner=partner, status="confirmed", confirmed_at=timezone.now())
    Signature.objects.filter(campaign=campaign, pk__in=Signature.objects.order_by("pk")[:50]).update(
        created_at=timezone.now() - timedelta(days=20)
    )
    fold_counts(campaign.pk)
    with CaptureQueriesContext(connection) as many:
        response = manager_client.get(dashboard_url(campaign))
    assert response.context["dashboard"]["totals"]["total"] == 200
    assert len(response.context["dashboard"]["days"]) == 21
    assert len(many) == len(few)


def test_an_empty_campaign_has_a_dashboard_too(manager_client):
    response = manager_client.get(dashboard_url(make_campaign()))
    assert response.status_code == 200
    assert "No signatures yet." in response.content.decode()


def test_the_chart_has_a_bar_per_day_scaled_to_a_round_maximum():
    today = timezone.now().date()
    rows = [
        {"day": today - timedelta(days=2), "total": 30, "ever_confirmed": 20, "pending": 10, "confirmed": 20,
         "rejected": 0, "withdrawn": 0},
        {"day": today, "total": 70, "ever_confirmed": 35, "pending": 35, "confirmed": 35, "rejected": 0,
         "withdrawn": 0},
    ]  # fmt: skip
    days = fill_days(rows)
    assert [day["total"] for day in days] == [30, 0, 70]
    chart = day_chart(days)
    assert [tick["value"] for tick in chart["ticks"]] == [0, 20, 40, 60, 80]
    bars = chart["bars"]
    assert len(bars) == 3
    assert bars[1].total_height == 0
    assert bars[2].total_height == pytest.approx(2 * bars[2].confirmed_height, abs=0.02)
    assert bars[0].x < bars[1].x < bars[2].x
    assert nice_ceiling(1) == 1 and nice_ceiling(3) == 5 and nice_ceiling(1001) == 2000


@pytest.mark.parametrize(
    "highest, values",
    [
        (0, [0, 1]),
        (1, [0, 1]),
        (2, [0, 1, 2]),
        (5, [0, 2, 4, 6]),
        (10, [0, 5, 10]),
        (70, [0, 20, 40, 60, 80]),
        (1000, [0, 500, 1000]),
        (1234, [0, 500, 1000, 1500]),
        (987_654, [0, 500_000, 1_000_000]),
    ],
)
def test_the_y_axis_climbs_in_even_round_steps(highest, values):
    """It read 0, 2, 5 for a handful of signatures."""
    assert axis_values(highest) == values


def test_it_sets_each_member_state_against_its_minimum_when_eci_thresholds_are_on(manager_client):
    from campaigns.models import CountryCount

    campaign = make_campaign(eci_thresholds=True)
    CountryCount.objects.create(campaign=campaign, country="MT", count=5000)
    CountryCount.objects.create(campaign=campaign, country="DE", count=100)
    CountryCount.objects.create(campaign=campaign, country="CH", count=7)
    page = manager_client.get(dashboard_url(campaign)).content.decode()
    assert "1 of 27 member states is over its minimum; a European Citizens' Initiative needs 7" in page
    assert "4,320" in page and "69,120" in page
    # Countries outside the EU under a heading of their own, and only they: no unheaded repeat of the states.
    others = page[page.index('<h3 id="other-countries">Countries outside the EU</h3>') : page.index('id="partners"')]
    assert "Switzerland (CH)" in others and "Malta" not in others and "Germany" not in others
    campaign.eci_thresholds = False
    campaign.save()
    assert "member states are over" not in manager_client.get(dashboard_url(campaign)).content.decode()


def test_its_styles_come_from_a_stylesheet_the_content_security_policy_allows(manager_client):
    """An inline <style> element is blocked by style-src 'self': the totals and number columns lost their look."""
    response = manager_client.get(dashboard_url(make_campaign()))
    assert "/static/css/admin-extra.css" in response.text
    assert "<style" not in response.text
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
