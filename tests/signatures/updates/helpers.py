"""Rows for update tests: a campaign whose lead organisation has consenting signers, and an update to them."""

from django.utils import timezone

from campaigns.models import Update, UpdateText
from tests.factories import make_campaign, make_consent, make_organisation, make_signature


def make_update(campaign, organisation, texts=None, **fields) -> Update:
    texts = texts or {"en": ("News about {petition}", "Hello {first_name},\n\nWe handed in **{petition}**.")}
    update = Update.objects.create(
        campaign=campaign, organisation=organisation, sender_name=fields.pop("sender_name", "Digital Rights"), **fields
    )
    for language, (subject, body) in texts.items():
        UpdateText.objects.create(update=update, language=language, subject=subject, body=body)
    return update


def consenting_signers(campaign, organisation, n: int, **fields) -> list:
    signers = []
    for _ in range(n):
        signature = make_signature(campaign, status="confirmed", **fields)
        make_consent(signature, organisation)
        signers.append(signature)
    return signers


def campaign_with_lead():
    organisation = make_organisation(name="Digital Rights")
    campaign = make_campaign(lead_organisation=organisation, title="Ban biometric mass surveillance")
    return campaign, organisation


def ready_to_send(update: Update) -> Update:
    """As the admin's "send now" leaves it: scheduled for now."""
    Update.objects.filter(pk=update.pk).update(status=Update.Status.SCHEDULED, send_at=timezone.now())
    update.refresh_from_db()
    return update
