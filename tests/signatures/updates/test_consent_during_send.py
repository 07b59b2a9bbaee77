"""A signer who withdraws their consent, or whose address is suppressed, while an update is sending gets nothing after."""

import threading

import pytest
from django.db import connection

from campaigns.models import Update
from signatures.services import withdraw_consent
from signatures.suppression import suppress
from signatures.updates import sending
from signatures.updates.starting import begin_sending
from tests.realstack import CollectingHandler, smtp_server

from .helpers import campaign_with_lead, consenting_signers, make_update, ready_to_send

pytestmark = pytest.mark.django_db(transaction=True)


class HoldingHandler(CollectingHandler):
    """Takes the first message, then holds the worker mid-batch until the test lets it go on."""

    def __init__(self):
        super().__init__()
        self.first = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        self.first.set()
        self.release.wait(timeout=60)
        return reply


def test_withdrawn_and_suppressed_signers_get_nothing_after_that_moment(settings):
    settings.UPDATE_BATCH_SIZE = 100
    settings.UPDATE_SEND_PER_MINUTE = 0
    campaign, organisation = campaign_with_lead()
    signers = consenting_signers(campaign, organisation, 10)
    update = ready_to_send(make_update(campaign, organisation))
    begin_sending(update.pk)
    with smtp_server(HoldingHandler()) as (controller, handler):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port

        def worker():
            try:
                sending.run(update.pk)
            finally:
                connection.close()

        thread = threading.Thread(target=worker)
        thread.start()
        assert handler.first.wait(timeout=60), "the worker never sent"
        # The whole batch is claimed; the worker is mid-send.
        assert update.recipients.filter(status="claimed").count() == 9
        withdraw_consent(signers[5].pk, organisation.pk)
        suppress(signers[7].email_canonical, "complaint")
        handler.release.set()
        thread.join(timeout=60)

    received = sorted(str(message["To"]) for message in handler.messages)
    assert received == sorted(s.email for i, s in enumerate(signers) if i not in (5, 7))
    update.refresh_from_db()
    assert update.status == Update.Status.DONE
    assert (update.sent_count, update.skipped_count, update.failed_count) == (8, 2, 0)
    assert set(update.recipients.filter(status="skipped").values_list("signature_id", flat=True)) == {
        signers[5].pk,
        signers[7].pk,
    }
