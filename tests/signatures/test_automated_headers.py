"""Every email to signers says it was written by a program, so no out-of-office reply comes back to it (RFC 3834).

A viral day's confirmation emails, or an update to a million signers, would
otherwise fill the sender's mailbox with automatic replies. Exchange's own
header keeps its non-delivery reports, which keep the suppression list right.
"""

from email import message_from_bytes

import pytest

from signatures.outbox import consented_organisations
from signatures.owed_emails import Composer as OwedEmails
from signatures.updates.compose import Composer as UpdateComposer
from tests.factories import make_campaign, make_signature

from .updates.helpers import campaign_with_lead, make_update

pytestmark = pytest.mark.django_db

# Out-of-office and automatic replies only: never "All", which would take Exchange's
# non-delivery reports (NDR) too.
AUTOMATED = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "OOF, AutoReply"}


def automated_headers(data: bytes) -> dict:
    message = message_from_bytes(data)
    return {name: message[name] for name in AUTOMATED}


@pytest.mark.parametrize("template", ["confirm", "already-signed", "reminder"])
def test_a_confirmation_email_is_marked_automated_on_the_wire_and_in_djangos_message(template):
    signature = make_signature(make_campaign())
    message = OwedEmails().message(template, signature, consented_organisations([signature.pk])[signature.pk])

    assert automated_headers(message.wire_bytes()) == AUTOMATED
    assert automated_headers(message.message().as_bytes()) == AUTOMATED
    assert "List-Unsubscribe" in message.extra_headers  # the link headers are still there


def test_an_update_is_marked_automated_whichever_way_it_goes():
    campaign, organisation = campaign_with_lead()
    signer = make_signature(campaign, status="confirmed")
    composer = UpdateComposer(make_update(campaign, organisation))

    assert automated_headers(composer.wire(signer).data) == AUTOMATED
    assert automated_headers(composer.message(signer).message().as_bytes()) == AUTOMATED
    assert automated_headers(composer.message(signer, to="staff@example.org", test=True).message().as_bytes()) == AUTOMATED
    batch = composer.batch_message([signer], "%recipient.{}%")
    assert {name: batch.extra_headers[name] for name in AUTOMATED} == AUTOMATED

