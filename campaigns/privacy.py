"""The privacy notice of one campaign: who controls the data, what, why, how long, who receives it."""

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from .selectors import get_visible_campaign


@csrf_exempt  # GET and HEAD only: require_safe answers any other method 405 before the view runs
@require_safe
def privacy_notice(request, slug: str):
    campaign = get_visible_campaign(request, slug)
    return render(
        request,
        "campaigns/privacy.html",
        {
            "campaign": campaign,
            "controller": campaign.lead_organisation,
            "partners": campaign.partners.exclude(pk=campaign.lead_organisation_id).order_by("name"),
            "unconfirmed_days": settings.UNCONFIRMED_RETENTION_DAYS,
            "reminder_hours": settings.REMINDER_AFTER_HOURS,
            "recaptcha_enabled": settings.RECAPTCHA_ENABLED,
        },
    )
