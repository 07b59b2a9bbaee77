"""Every email lets the signer withdraw, and stop each organisation they agreed to hear from."""

import pytest
from django.core import mail
from django.utils import timezone

from signatures import outbox
from tests.factories import (
    make_campaign,
    make_consent,
    make_organisation,
    make_signature,
    manage_token,
    unsubscribe_token,
)

pytestmark = pytest.mark.django_db

KINDS = [("confirm", "pending"), ("already_signed", "confirmed"), ("reminder", "pending")]


def send(kind: str, status: str, consents=()):
    signature = make_signature(
        make_campaign(), status=status, email_due=kind, email_requested_at=timezone.now()
    )
    for organisation, withdrawn in consents:
        make_consent(signature, organisation, withdrawn_at=timezone.now() if withdrawn else None)
    assert outbox.deliver_due_email(signature.pk)
    (message,) = mail.outbox
    return signature, message.body, message.alternatives[0][0]


@pytest.mark.parametrize(("kind", "status"), KINDS)
def test_it_puts_the_withdraw_link_in_every_email(kind, status):
    signature, text, html = send(kind, status)

    link = f"http://testserver/en/s/withdraw/{signature.pk}/{manage_token(signature)}/"
    assert link in text
    assert f'href="{link}"' in html
    assert f"/s/unsubscribe/{signature.pk}/{unsubscribe_token(signature)}/" in text


@pytest.mark.parametrize(("kind", "status"), KINDS)
def test_it_adds_an_unsubscribe_link_per_organisation_the_signer_agreed_to(kind, status):
    lead = make_organisation(name="Digital Rights Lead")
    partner = make_organisation(name="Partner & Friends")
    withdrawn = make_organisation(name="Already Stopped")

    signature, text, html = send(kind, status, [(lead, False), (partner, False), (withdrawn, True)])

    for organisation in (lead, partner):
        link = f"http://testserver/en/s/unsubscribe/{signature.pk}/{unsubscribe_token(signature, organisation.pk)}/{organisation.pk}/"
        assert f"To stop emails from {organisation.name}:\n{link}" in text
        assert f'href="{link}"' in html
    assert "Stop emails from Partner &amp; Friends" in html
    assert f"/{withdrawn.pk}/" not in text
    assert "Already Stopped" not in text + html
