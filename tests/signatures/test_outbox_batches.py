"""A drain sends its batches cheaply: one consent query per chunk, one SMTP connection, one drain per moment."""

import json
from datetime import datetime, timedelta

import pytest
import redis
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from signatures.links import unsubscribe_url
from signatures.models import Consent, Signature
from signatures.outbox import BATCH, GATHER_SECONDS, drain
from signatures.services import nudge_outbox
from tests.factories import make_campaign, make_organisation, make_signature
from tests.realstack import CollectingHandler, smtp_port, smtp_server, text_body

pytestmark = pytest.mark.django_db


class ConnectionCountingHandler(CollectingHandler):
    """Records the client address and port of each message: one per SMTP connection."""

    def __init__(self):
        super().__init__()
        self.peers = set()

    async def handle_DATA(self, server, session, envelope):
        self.peers.add(session.peer)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def mail_server(settings):
    with smtp_server(ConnectionCountingHandler()) as (controller, handler):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = smtp_port(controller)
        yield handler


def owing_confirmation(campaign, **fields) -> Signature:
    return make_signature(campaign, email_due=Signature.Email.CONFIRM, email_requested_at=timezone.now(), **fields)


def test_each_email_of_a_chunk_offers_only_its_own_signers_standing_consents_read_in_one_query(mail_server):
    lead, partner = make_organisation(name="Lead"), make_organisation(name="Partner")
    campaign = make_campaign(lead_organisation=lead)
    both = owing_confirmation(campaign, email="both@example.org")
    lead_only = owing_confirmation(campaign, email="lead@example.org")
    withdrawn = owing_confirmation(campaign, email="withdrawn@example.org")
    none = owing_confirmation(campaign, email="none@example.org")
    Consent.objects.create(signature=both, organisation=lead, text_shown="lead")
    Consent.objects.create(signature=both, organisation=partner, text_shown="partner")
    Consent.objects.create(signature=lead_only, organisation=lead, text_shown="lead")
    Consent.objects.create(signature=withdrawn, organisation=partner, text_shown="partner", withdrawn_at=timezone.now())

    with CaptureQueriesContext(connection) as queries:
        assert drain() == 4

    assert sum("signatures_consent" in query["sql"] for query in queries.captured_queries) == 1
    bodies = {message["To"]: text_body(message) for message in mail_server.messages}
    organisations = {lead.pk: lead, partner.pk: partner}
    offered = {
        signature.email: {pk for pk in organisations if unsubscribe_url(signature, pk) in bodies[signature.email]}
        for signature in (both, lead_only, withdrawn, none)
    }
    assert offered == {
        "both@example.org": {lead.pk, partner.pk},
        "lead@example.org": {lead.pk},
        "withdrawn@example.org": set(),
        "none@example.org": set(),
    }
    assert bodies["both@example.org"].index("Lead") < bodies["both@example.org"].index("Partner")


def test_a_drain_sends_every_batch_over_one_smtp_connection(mail_server):
    campaign = make_campaign()
    for _ in range(BATCH + 1):
        owing_confirmation(campaign)

    assert drain() == BATCH + 1

    assert len(mail_server.messages) == BATCH + 1
    assert len(mail_server.peers) == 1


def test_a_drain_claims_again_only_after_a_full_batch(mail_server):
    campaign = make_campaign()
    for _ in range(BATCH + 1):
        owing_confirmation(campaign)

    with CaptureQueriesContext(connection) as queries:
        assert drain() == BATCH + 1

    claims = [query["sql"] for query in queries.captured_queries if "SKIP LOCKED" in query["sql"]]
    # A full batch, then the one row left; that short batch was everything, so no third claim finds nothing.
    assert len(claims) == 2, claims


def test_a_drain_that_finds_nothing_owed_opens_no_smtp_connection(mail_server):
    make_signature(make_campaign())

    assert drain() == 0

    assert mail_server.messages == [] and mail_server.peers == set()


def test_the_signers_of_one_moment_share_one_drain_that_starts_after_the_gather_window(eager_celery, settings):
    eager_celery.conf.task_always_eager = False
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    before = timezone.now()

    assert nudge_outbox() is True
    assert nudge_outbox() is False

    published = [json.loads(raw)["headers"] for raw in broker.lrange("celery", 0, -1)]
    drains = [headers for headers in published if headers["task"] == "signatures.tasks.drain_outbox"]
    assert len(drains) == 1
    assert datetime.fromisoformat(drains[0]["eta"]) >= before + timedelta(seconds=GATHER_SECONDS)
