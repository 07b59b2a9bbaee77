"""The privacy notice of one campaign: who controls the data, what, why, how long, who receives it."""

from django.conf import settings
from django.shortcuts import render

from petition.methods import read_only_page

from .selectors import get_visible_campaign


@read_only_page
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
