"""Two presses of one confirm button at once, and a row changed between reading it and confirming it."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign
from signatures import services
from signatures.models import Signature, WebhookEvent
from tests.factories import confirm_token, make_campaign, make_consent, make_organisation, make_signature


def confirm_url(signature):
    return reverse("signatures:confirm", kwargs={"pk": signature.pk, "token": confirm_token(signature)})


@pytest.mark.django_db(transaction=True)
def test_two_presses_at_once_confirm_and_count_once():
    campaign = make_campaign()
    organisation = make_organisation(webhook_url="https://crm.example.org/hook")
    signature = make_signature(campaign)
    make_consent(signature, organisation)
    url = confirm_url(signature)
    start = threading.Barrier(2)
    pages, errors = [], []

    def press():
        try:
            start.wait()
            pages.append(Client().post(url, HTTP_SEC_FETCH_SITE="same-origin").text)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert sum("your signature is confirmed" in page for page in pages) == 1
    assert sum("Your signature is already confirmed" in page for page in pages) == 1
    assert Campaign.objects.get(pk=campaign.pk).signature_count == 1
    assert WebhookEvent.objects.filter(signature_id=signature.pk).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "page_says", "count"),
    [
        ({"status": Signature.Status.CONFIRMED}, "already confirmed", 1),
        ({"status": Signature.Status.WITHDRAWN}, "cannot be confirmed", 0),
    ],
)
def test_a_row_changed_after_the_token_check_is_not_confirmed_again(client, monkeypatch, change, page_says, count):
    campaign = make_campaign()
    signature = make_signature(campaign)
    find = services.find_to_confirm

    def found_then_changed(*args):
        found = find(*args)
        # Another press, or the signer's withdrawal, commits first.
        Signature.objects.filter(pk=found.pk).update(confirmed_at=timezone.now(), **change)
        return found

    monkeypatch.setattr(services, "find_to_confirm", found_then_changed)

    page = client.post(confirm_url(signature), HTTP_SEC_FETCH_SITE="same-origin").text

    assert page_says in page
    assert Signature.objects.get(pk=signature.pk).status == change["status"]
    assert f"data-count>{count}</strong>" in page
