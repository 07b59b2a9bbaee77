"""Which organisations a confirmation owes an event: those the signer still consents to that have a webhook."""

import pytest
from django.utils import timezone

from signatures import services
from signatures.models import WebhookEvent
from tests.factories import confirm_token, make_campaign, make_consent, make_organisation, make_signature

pytestmark = pytest.mark.django_db


def confirm(signature):
    return services.confirm(signature.pk, confirm_token(signature))


def organisations_told(signature) -> set[str]:
    return set(WebhookEvent.objects.filter(signature=signature).values_list("organisation__name", flat=True))


def test_only_consented_organisations_with_a_webhook_hear_of_a_confirmation(django_capture_on_commit_callbacks):
    signature = make_signature(make_campaign())
    make_consent(signature, make_organisation(name="With webhook", webhook_url="https://crm.example.org/hook"))
    make_consent(signature, make_organisation(name="Without webhook"))
    make_consent(
        signature,
        make_organisation(name="Consent withdrawn", webhook_url="https://crm.example.net/hook"),
        withdrawn_at=timezone.now(),
    )
    make_organisation(name="Never consented", webhook_url="https://crm.example.com/hook")

    with django_capture_on_commit_callbacks(execute=False):
        assert confirm(signature).result == services.ConfirmResult.CONFIRMED

    assert organisations_told(signature) == {"With webhook"}
    assert WebhookEvent.objects.get(signature=signature).payload["type"] == "signature.confirmed"


@pytest.mark.parametrize("webhook_url, withdrawn", [("", False), ("https://crm.example.org/hook", True)])
def test_a_confirmation_owing_nobody_records_nothing(webhook_url, withdrawn, django_capture_on_commit_callbacks):
    signature = make_signature(make_campaign())
    make_consent(
        signature,
        make_organisation(webhook_url=webhook_url),
        withdrawn_at=timezone.now() if withdrawn else None,
    )

    with django_capture_on_commit_callbacks(execute=False):
        assert confirm(signature).result == services.ConfirmResult.CONFIRMED

    assert not WebhookEvent.objects.exists()
