"""Recording the events an organisation's webhook is owed, in the transaction of the change they report.

Only organisations the signer consented to hear from get an event, and only
the fields they need to find or add the contact. The payload is built now:
a withdrawal erases the signer's data in the same transaction.
"""

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from campaigns.models import Organisation
from petition.enqueue import enqueue_after_commit

from .models import Consent, Signature, WebhookEvent
from .tasks import deliver_webhooks

CONFIRMED = "signature.confirmed"
WITHDRAWN = "signature.withdrawn"
CONSENT_WITHDRAWN = "consent.withdrawn"
TEST = "webhook.test"

# Whether a signer's standing consents include an organisation with a webhook.
# Every confirmation asks, and most signers' organisations have none: written
# out, the question costs a tenth of the CPU of the ORM query that loads the
# consents, which then runs only when the answer is yes.
# The question as an SQL condition on the signature's id (an expression, or
# %s for a parameter), so a statement that writes the signature can ask it too.
def owes_events_condition(signature_id_sql: str) -> str:
    return (
        f"EXISTS (SELECT 1 FROM {Consent._meta.db_table} c"
        f" JOIN {Organisation._meta.db_table} o ON o.id = c.organisation_id"
        f" WHERE c.signature_id = {signature_id_sql} AND c.withdrawn_at IS NULL AND o.webhook_url <> '')"
    )


OWES_EVENTS_SQL = f"SELECT {owes_events_condition('%s')}"


def record(signature_id: int, event_type: str, organisation_id: int | None = None) -> int:
    """Owe each interested organisation's webhook this event; returns how many events were recorded.

    For CONSENT_WITHDRAWN pass the organisation whose consent was withdrawn;
    the others get events for the organisations whose consent still stands.
    """
    if organisation_id is None and not owes_events(signature_id):
        return 0
    consents = Consent.objects.filter(signature_id=signature_id).exclude(organisation__webhook_url="")
    if organisation_id is not None:
        consents = consents.filter(organisation_id=organisation_id)
    else:
        consents = consents.filter(withdrawn_at__isnull=True)
    consents = list(consents)
    if not consents:
        return 0
    signature = Signature.objects.select_related("campaign").get(pk=signature_id)
    if signature.confirmed_at is None:
        # The organisations only ever hear of confirmed signers.
        return 0
    now = timezone.now()
    WebhookEvent.objects.bulk_create(
        [
            WebhookEvent(
                organisation_id=consent.organisation_id,
                signature_id=signature_id,
                event_type=event_type,
                payload=payload(event_type, signature, consent, now),
                next_attempt_at=now,
            )
            for consent in consents
        ]
    )
    for organisation_id in sorted({consent.organisation_id for consent in consents}):
        enqueue_after_commit(deliver_webhooks, organisation_id)
    return len(consents)


def owes_events(signature_id: int) -> bool:
    """True when an organisation whose consent stands has a webhook to tell of this signer."""
    with connection.cursor() as cursor:
        cursor.execute(OWES_EVENTS_SQL, [signature_id])
        return cursor.fetchone()[0]


def payload(event_type: str, signature: Signature, consent: Consent, now) -> dict:
    data = {
        "signature_id": signature.pk,
        "campaign": signature.campaign.slug,
        "email": signature.email,
    }
    if event_type == CONFIRMED:
        data |= {
            "first_name": signature.first_name,
            "last_name": signature.last_name,
            "country": signature.country,
            "language": signature.language,
            "confirmed_at": signature.confirmed_at.isoformat() if signature.confirmed_at else now.isoformat(),
            "consent": {"text": consent.text_shown, "given_at": consent.given_at.isoformat()},
        }
    return {"type": event_type, "timestamp": now.isoformat(), "data": data}


def record_test_event(organisation_id: int) -> WebhookEvent:
    """The admin's "send test event": through the same outbox, so it also shows the endpoint's order."""
    now = timezone.now()
    event = WebhookEvent.objects.create(
        organisation_id=organisation_id,
        event_type=TEST,
        payload={"type": TEST, "timestamp": now.isoformat(), "data": {}},
        next_attempt_at=now,
    )
    enqueue_after_commit(deliver_webhooks, organisation_id)
    return event


def undelivered(organisation_id: int):
    return WebhookEvent.objects.filter(
        Q(organisation_id=organisation_id), delivered_at__isnull=True, given_up_at__isnull=True
    )
