"""Pressing "withdraw" a second time (a reload, a double click, a scanner replaying the POST) changes nothing and says nothing new."""

import logging

import pytest

from campaigns.webhook_secrets import new_webhook_secret
from signatures import fold, services
from signatures.models import Signature, WebhookEvent
from tests.factories import make_campaign, make_consent, make_organisation, make_signature, manage_token

pytestmark = pytest.mark.django_db


def test_a_second_withdrawal_records_no_event_no_log_line_and_no_fold(caplog, django_capture_on_commit_callbacks):
    campaign = make_campaign()
    crm = make_organisation(webhook_url="https://crm.example/hook", webhook_secret=new_webhook_secret())
    signer = make_signature(campaign, status="confirmed")
    make_consent(signer, crm)
    make_signature(campaign, status="confirmed")
    fold.fold_counts(campaign.pk)

    with caplog.at_level(logging.INFO, logger="signatures"), django_capture_on_commit_callbacks(execute=True):
        services.withdraw(signer.pk, manage_token(signer))
    first = [record.getMessage() for record in caplog.records if "withdrawn" in record.getMessage()]
    events_after_first = WebhookEvent.objects.filter(signature_id=signer.pk).count()
    caplog.clear()

    with caplog.at_level(logging.INFO, logger="signatures"), django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.withdraw(signer.pk, manage_token(signer))

    assert first == [f"signature {signer.pk} withdrawn"]
    assert events_after_first == 1
    assert [record.getMessage() for record in caplog.records if "withdrawn" in record.getMessage()] == []
    assert WebhookEvent.objects.filter(signature_id=signer.pk).count() == 1
    assert callbacks == []  # no fold requested, nothing enqueued
    campaign.refresh_from_db()
    assert campaign.signature_count == 1
    assert Signature.objects.get(pk=signer.pk).status == Signature.Status.WITHDRAWN


def test_a_row_withdrawn_another_way_still_loses_its_personal_data_on_the_signers_press():
    signer = make_signature(make_campaign(), status="confirmed", first_name="Marie", last_name="Curie")
    Signature.objects.filter(pk=signer.pk).update(status=Signature.Status.WITHDRAWN)

    services.withdraw(signer.pk, manage_token(signer))

    erased = Signature.objects.get(pk=signer.pk)
    assert "Marie" not in (erased.first_name, erased.last_name)
