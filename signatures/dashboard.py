"""Reads for a campaign's dashboard in the admin (campaigns.admin), in a fixed number of queries.

Nothing here holds personal data: totals, days, countries, partners and the
utm_source/utm_campaign values of partner links.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django_countries import countries

from campaigns import eci
from campaigns.models import Campaign, CountryCount, PartnerCount

from .models import Signature

TOP_SOURCES = 15
CHART_WIDTH = 720
CHART_HEIGHT = 220
CHART_LEFT = 56  # room for the y-axis labels
CHART_BOTTOM = 24  # room for the dates
CHART_TOP = 10
AXIS_STEPS = 4  # at most this many steps up the y-axis

STATUSES = [Signature.Status.PENDING, Signature.Status.CONFIRMED, Signature.Status.REJECTED, Signature.Status.WITHDRAWN]


def signatures_by_day(campaign_id: int) -> list[dict]:
    """Per day signed (UTC): how many, and how many of those are in each status now."""
    per_status = {status.value: Count("pk", filter=Q(status=status)) for status in STATUSES}
    return list(
        Signature.objects.filter(campaign_id=campaign_id)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(total=Count("pk"), ever_confirmed=Count("pk", filter=Q(confirmed_at__isnull=False)), **per_status)
        .order_by("day")
    )


def fill_days(rows: list[dict], until: date | None = None) -> list[dict]:
    """Every day from the first signature to the last (or until), with zeros where none came."""
    if not rows:
        return []
    by_day = {row["day"]: row for row in rows}
    first = rows[0]["day"]
    last = max(rows[-1]["day"], until or rows[-1]["day"])
    empty = {"total": 0, "ever_confirmed": 0, **{status.value: 0 for status in STATUSES}}
    return [
        by_day.get(first + timedelta(days=offset), {"day": first + timedelta(days=offset), **empty})
        for offset in range((last - first).days + 1)
    ]


@dataclass(frozen=True)
class Bar:
    day: date
    total: int
    confirmed: int
    x: float
    width: float
    total_y: float
    total_height: float
    confirmed_y: float
    confirmed_height: float


def nice_ceiling(value: int) -> int:
    """The next 1, 2 or 5 times a power of ten at or above value, for a readable axis."""
    magnitude = 1
    while True:
        for step in (1, 2, 5):
            if step * magnitude >= value:
                return step * magnitude
        magnitude *= 10


def axis_values(highest: int) -> list[int]:
    """Evenly spaced round values from 0 to at least highest, two to five steps: 0 2 4 6 for 5, 0 500 1000 for 1000.

    Halving a round maximum gave 0, 2, 5 for a handful of signatures.
    """
    step = nice_ceiling(max(-(-highest // AXIS_STEPS), 1))
    top = step * max(-(-highest // step), 1)
    return list(range(0, top + 1, step))


def day_chart(days: list[dict]) -> dict | None:
    """Coordinates for an SVG bar chart of signatures per day (and the confirmed part of each)."""
    if not days:
        return None
    values = axis_values(max(day["total"] for day in days))
    top = values[-1]
    plot_width = CHART_WIDTH - CHART_LEFT
    plot_height = CHART_HEIGHT - CHART_BOTTOM - CHART_TOP
    baseline = CHART_TOP + plot_height
    step = plot_width / len(days)
    gap = step * 0.15 if step >= 4 else 0
    bars = []
    for index, day in enumerate(days):
        total_height = plot_height * day["total"] / top
        confirmed_height = plot_height * day[Signature.Status.CONFIRMED.value] / top
        bars.append(
            Bar(
                day=day["day"],
                total=day["total"],
                confirmed=day[Signature.Status.CONFIRMED.value],
                x=round(CHART_LEFT + index * step + gap / 2, 2),
                width=round(max(step - gap, 0.5), 2),
                total_y=round(baseline - total_height, 2),
                total_height=round(total_height, 2),
                confirmed_y=round(baseline - confirmed_height, 2),
                confirmed_height=round(confirmed_height, 2),
            )
        )
    ticks = [{"value": value, "y": round(baseline - plot_height * value / top, 2)} for value in values]
    labels = []
    for index in sorted({0, len(days) // 2, len(days) - 1}):
        # The first and last dates hang inwards from the plot's edges so they are never clipped.
        if index == 0 and len(days) > 1:
            x, anchor = CHART_LEFT, "start"
        elif index == len(days) - 1 and len(days) > 1:
            x, anchor = CHART_WIDTH, "end"
        else:
            x, anchor = round(CHART_LEFT + (index + 0.5) * step, 2), "middle"
        labels.append({"day": days[index]["day"], "x": x, "anchor": anchor})
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": CHART_LEFT,
        "baseline": baseline,
        "label_y": CHART_HEIGHT - 6,
        "bars": bars,
        "ticks": ticks,
        "labels": labels,
    }


def totals(days: list[dict]) -> dict:
    summed = {key: sum(day[key] for day in days) for key in ["total", "ever_confirmed", *map(str, STATUSES)]}
    summed["confirmation_rate"] = 100 * summed["ever_confirmed"] / summed["total"] if summed["total"] else None
    return summed


def country_table(campaign: Campaign) -> dict:
    """Confirmed signatures per country as folded into CountryCount, with ECI minimums when switched on.

    With the minimums on, the member states have their own table, so "rows"
    holds only the countries outside the EU; otherwise it holds them all.
    """
    by_country = dict(
        CountryCount.objects.filter(campaign=campaign, count__gt=0).values_list("country", "count")
    )
    progress = eci.progress(by_country) if campaign.eci_thresholds else None
    member_states = {state.iso_code for state in progress.states} if progress else set()
    rows = [
        {"code": code, "name": countries.name(code) or code, "count": count}
        for code, count in sorted(by_country.items(), key=lambda item: (-item[1], item[0]))
        if code not in member_states
    ]
    return {"rows": rows, "eci": progress}


def partner_table(campaign: Campaign) -> list[dict]:
    """Confirmed signatures each partner brought (folded into PartnerCount), partners without any too."""
    counts = {
        row.organisation_id: row
        for row in PartnerCount.objects.filter(campaign=campaign).select_related("organisation")
    }
    rows = [{"organisation": row.organisation, "count": row.count} for row in counts.values()]
    rows += [
        {"organisation": organisation, "count": 0}
        for organisation in campaign.partners.exclude(pk__in=list(counts))
    ]
    rows.sort(key=lambda row: (-row["count"], row["organisation"].name))
    credited = sum(row["count"] for row in rows)
    return rows + [{"organisation": None, "count": max(campaign.signature_count - credited, 0)}]


def top_sources(campaign_id: int, limit: int = TOP_SOURCES) -> list[dict]:
    """The utm_source/utm_campaign pairs of links that brought the most signatures."""
    return list(
        Signature.objects.filter(campaign_id=campaign_id)
        .exclude(utm_source="", utm_campaign="")
        .values("utm_source", "utm_campaign")
        .annotate(
            signatures=Count("pk"), confirmed=Count("pk", filter=Q(status=Signature.Status.CONFIRMED))
        )
        .order_by("-signatures", "utm_source", "utm_campaign")[:limit]
    )


def campaign_dashboard(campaign: Campaign) -> dict:
    until = campaign.closed_at.date() if campaign.closed_at else timezone.now().date()
    days = fill_days(signatures_by_day(campaign.pk), until=until)
    return {
        "totals": totals(days),
        "bounced_confirmations": Signature.objects.filter(campaign=campaign, undeliverable_at__isnull=False).count(),
        "chart": day_chart(days),
        "days": days,
        "countries": country_table(campaign),
        "partners": partner_table(campaign),
        "sources": top_sources(campaign.pk),
        "counted": {
            "online": campaign.signature_count - campaign.paper_count,
            "paper": campaign.paper_count,
            "total": campaign.signature_count,
        },
    }

