"""Every write to signatures with a consequence: signing, emails owed, confirming, withdrawing.

Each function writes in a transaction and asks for what follows (an email, a
fold of the count) after commit, through the tasks; the tasks do the work in
signatures.outbox and signatures.fold.
"""

import functools
import logging
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, models, transaction
from django.db.models import DEFERRED
from django.utils import timezone
from redis.exceptions import RedisError

from campaigns.models import Campaign, Organisation
from petition.enqueue import enqueue_now
from petition.prepared import PreparedStatement

from . import webhook_events
from .emailaddr import canonical_email
from .erasure import erase_signatures
from .fold import fold_queued_key
from .links import MANAGE, InvalidToken, find_by_token, find_to_confirm
from .models import AuditEntry, Consent, Signature, one_signature_per_address_target
from .outbox import GATHER_SECONDS, NUDGE_KEY, NUDGE_SECONDS
from .tasks import drain_outbox, fold_counts

logger = logging.getLogger(__name__)

# How long the "a fold is queued" mark may outlive a fold that never ran
# (lost by the broker); beat folds meanwhile anyway.
FOLD_QUEUED_TTL = 60
# A requested fold starts this long after the confirmation that asked for it,
# so the confirmations of that moment share one fold instead of each starting
# one of its own as soon as the previous one began. The count still shows
# them within a second.
FOLD_GATHER_SECONDS = 0.5


@dataclass
class SignerDetails:
    first_name: str
    last_name: str
    email: str
    country: str
    postcode: str = ""
    contact_consent: bool = False
    language: str = "en"
    ip_hash: str = ""
    partner: Organisation | None = None
    utm_source: str = ""
    utm_campaign: str = ""
    # (organisation, the exact consent text the signer ticked) for each
    # organisation they agreed to be contacted by.
    consents: list[tuple[Organisation, str]] = field(default_factory=list)
    extra: dict = field(default_factory=dict)
    source: str = "online"


def sign(campaign: Campaign, details: SignerDetails) -> Signature:
    """Record a signature, or ask for the right email to the one already there.

    The unique constraint on (campaign, canonical email) decides who was first;
    whoever loses the race gets the existing row and the same outcome.
    """
    canonical = canonical_email(details.email)
    now = timezone.now()
    signature = new_signature(
        campaign,
        details.partner,
        first_name=details.first_name,
        last_name=details.last_name,
        email=details.email,
        email_canonical=canonical,
        country=details.country,
        postcode=details.postcode,
        language=details.language,
        contact_consent=details.contact_consent,
        ip_hash=details.ip_hash,
        utm_source=details.utm_source[:100],
        utm_campaign=details.utm_campaign[:100],
        source=details.source,
        email_due=Signature.Email.CONFIRM,
        email_requested_at=now,
        created_at=now,
    )
    # A row that went between our insert and our read (deleted, or its address
    # erased) frees the address: one more try then finds it free or taken.
    for _attempt in range(2):
        if details.consents:
            with transaction.atomic():
                inserted = insert_signature(signature)
                if inserted:
                    Consent.objects.bulk_create(
                        [
                            Consent(signature=signature, organisation=organisation, text_shown=text)
                            for organisation, text in details.consents
                        ]
                    )
        else:
            inserted = insert_signature(signature)
        if inserted:
            enqueue_email(signature.pk)
            return signature
        existing = Signature.objects.filter(campaign=campaign, email_canonical=canonical).first()
        if existing is not None:
            request_repeat_email(existing)
            return existing
    raise IntegrityError("signature neither inserted nor found")


# The model's concrete fields in the order Model.__init__ takes them by position.
CONCRETE_FIELDS = Signature._meta.concrete_fields


def new_signature(campaign: Campaign, partner: Organisation | None, **values) -> Signature:
    """An unsaved signature of these values, each other field at its default: Signature(campaign=…, **values).

    Built as Django builds a row it read (Model.from_db), by position: given
    keywords, Model.__init__ tried each of some forty fields against them and
    raised and caught a KeyError for every one not given. That cost 8 % of
    the sign POST's instructions; this half as much (python -m bench.instructions).
    """
    unknown = set(values) - {model_field.attname for model_field in CONCRETE_FIELDS}
    if unknown:
        raise TypeError(f"Signature has no field {', '.join(sorted(unknown))}")
    row = []
    for model_field in CONCRETE_FIELDS:
        if model_field.attname in values:
            row.append(values[model_field.attname])
        elif model_field.generated:
            row.append(DEFERRED)  # PostgreSQL computes it; the INSERT returns it
        else:
            row.append(model_field.get_default())
    signature = Signature(*row)
    signature.campaign = campaign
    signature.partner = partner
    return signature


# Every sign POST inserts one row, written out: the ORM compiled its INSERT
# of some forty columns anew each time, a fifth of the POST's CPU. Columns and
# values still come from the model (each field's default, prepared by the
# field as the ORM would). ON CONFLICT names the unique index that keeps one
# signature per address and campaign: the database still decides who was
# first, and the loser gets no row back instead of an error, so signing needs
# no transaction (or savepoint) of its own unless it writes consents too.
INSERT_FIELDS = [field for field in Signature._meta.concrete_fields if not field.primary_key and not field.generated]


# The statement is the same for every signature: built once, from the model.
@functools.cache
def insert_statement() -> PreparedStatement:
    return PreparedStatement(
        "insert_signature",
        f"INSERT INTO {Signature._meta.db_table} ({', '.join(field.column for field in INSERT_FIELDS)})"
        f" VALUES ({', '.join(['%s'] * len(INSERT_FIELDS))})"
        f" ON CONFLICT {one_signature_per_address_target()} DO NOTHING"
        f" RETURNING id, email_domain",
    )


def insert_value(field, value):
    """A column's value as the INSERT sends it, prepared by its field as the ORM would.

    Most of a new signature's columns are empty (None) or plain text: no
    field prepares those into anything else (a CharField's text is sent as
    it is), and asking each of some forty fields to cost a twentieth of the
    sign POST's CPU.
    """
    if value is None or (type(value) is str and type(field) is models.CharField):
        return value
    return field.get_db_prep_save(value, connection)


def insert_signature(signature: Signature) -> bool:
    """INSERT the unsaved signature; False (and no row) when its address already signed the campaign."""
    values = [insert_value(field, getattr(signature, field.attname)) for field in INSERT_FIELDS]
    with connection.cursor() as cursor:
        insert_statement().execute(cursor, values)
        row = cursor.fetchone()
    if row is None:
        return False
    signature.pk, signature.email_domain = row
    signature._state.adding = False
    signature._state.db = connection.alias
    return True


def request_repeat_email(signature: Signature) -> bool:
    """Someone signed again with this address: resend the link, or say it is done.

    Nothing is owed to rejected or withdrawn signatures, nothing more once an
    email is already owed, and never more than MAX_EMAILS_PER_SIGNATURE.
    """
    if signature.status == Signature.Status.PENDING:
        kind = Signature.Email.CONFIRM
    elif signature.status == Signature.Status.CONFIRMED:
        kind = Signature.Email.ALREADY_SIGNED
    else:
        return False
    return request_email(signature.pk, kind, required_status=signature.status)


def request_email(signature_id: int, kind: str, *, required_status: str) -> bool:
    owed = Signature.objects.filter(
        pk=signature_id,
        status=required_status,
        email_due="",
        emails_sent__lt=settings.MAX_EMAILS_PER_SIGNATURE,
    ).update(
        email_due=kind, email_requested_at=timezone.now(), send_failed_at=None, email_not_before=None, email_attempts=0
    )
    if owed:
        enqueue_email(signature_id)
    return bool(owed)


def enqueue_email(signature_id: int) -> None:
    """After commit, make sure a drain will see this signature's owed email."""
    transaction.on_commit(nudge_outbox)


def nudge_outbox() -> bool:
    """Enqueue one drain unless one is already on its way; True when one was enqueued.

    Under load many signers commit within a second; they share one drain,
    which starts GATHER_SECONDS after the first of them and sends their
    emails as one batch. When the cache is unreachable we cannot know, so we
    enqueue (the broker is likely down too, and beat's drain then catches up).
    """
    try:
        if not cache.add(NUDGE_KEY, 1, timeout=NUDGE_SECONDS):
            return False
    except (RedisError, OSError) as exc:
        logger.warning("cache unreachable (%s); enqueueing an outbox drain anyway", type(exc).__name__)
    return enqueue_now(drain_outbox, countdown=GATHER_SECONDS)


def request_fold(campaign_id: int) -> None:
    """Ask for the campaign's counts to be brought up to date after this commit."""
    transaction.on_commit(lambda: schedule_fold(campaign_id))


def schedule_fold(campaign_id: int) -> bool:
    """Enqueue a fold unless one is already queued; True when one was enqueued.

    The queued fold starts FOLD_GATHER_SECONDS later and forgets its mark
    before it reads any rows, so whatever committed before a caller found the
    mark is seen by that fold. When the cache is unreachable we cannot know,
    so we enqueue: an extra fold costs little, a missed one costs freshness.
    """
    try:
        if not cache.add(fold_queued_key(campaign_id), 1, timeout=FOLD_QUEUED_TTL):
            return False
    except (RedisError, OSError) as exc:
        logger.warning("cache unreachable (%s); enqueueing fold of campaign %s anyway", type(exc).__name__, campaign_id)
    return enqueue_now(fold_counts, campaign_id, countdown=FOLD_GATHER_SECONDS)


class ConfirmResult:
    CONFIRMED = "confirmed"
    ALREADY_CONFIRMED = "already_confirmed"
    NOT_CONFIRMABLE = "not_confirmable"
    CAMPAIGN_CLOSED = "campaign_closed"


class Confirmation(NamedTuple):
    result: str  # a ConfirmResult
    # Holds only what links.find_to_confirm loads, with its status as confirm() left it.
    signature: Signature
    # The campaign's count with this signature in it, when this call confirmed it; else None.
    count: int | None = None


# The confirming write and the count it makes, in one statement: written out
# because every confirmation runs it and the ORM's compilation of an update
# plus a query for the count cost more CPU than the rest of the POST's writes.
# A pending row is never counted yet, so the count with it is the stored count
# plus one, read in the same statement as the row changes.
CONFIRM_WHERE = (
    f"UPDATE {Signature._meta.db_table} SET status = %s, confirmed_at = %s, email_due = ''"
    f" WHERE id = %s AND status = %s"
)
CONFIRM_RETURNING = f" RETURNING is_counted, (SELECT signature_count FROM {Campaign._meta.db_table} WHERE id = campaign_id)"
CONFIRM = PreparedStatement("confirm_signature", CONFIRM_WHERE + CONFIRM_RETURNING)
# Nearly every signer's organisations have no webhook: then the statement is
# the whole of the change, and runs on its own in autocommit, without the
# BEGIN and COMMIT round trips of a transaction. It confirms only when no
# webhook is owed, asked in the same statement, so a signer whose
# organisations are owed an event is confirmed by CONFIRM in a transaction
# that records the events too (the outbox's guarantee: both or neither).
CONFIRM_UNLESS_EVENTS_OWED = PreparedStatement(
    "confirm_signature_unless_events_owed",
    CONFIRM_WHERE
    + f" AND NOT {webhook_events.owes_events_condition(Signature._meta.db_table + '.id')}"
    + CONFIRM_RETURNING,
)


def confirm(signature_id: int, token: str) -> Confirmation:
    """Confirm with the token of a confirmation link; only a person's POST from the button page calls this."""
    signature = find_to_confirm(signature_id, token)
    if signature.status == Signature.Status.CONFIRMED:
        return Confirmation(ConfirmResult.ALREADY_CONFIRMED, signature)
    if signature.status != Signature.Status.PENDING:
        return Confirmation(ConfirmResult.NOT_CONFIRMABLE, signature)
    if not signature.campaign.accepts_confirmations():
        return Confirmation(ConfirmResult.CAMPAIGN_CLOSED, signature)
    now = timezone.now()
    parameters = [Signature.Status.CONFIRMED, connection.ops.adapt_datetimefield_value(now), signature_id, Signature.Status.PENDING]
    changed = _execute_one(CONFIRM_UNLESS_EVENTS_OWED, parameters)
    if not changed:
        # Events are owed, or the row changed since it was read.
        with transaction.atomic():
            changed = _execute_one(CONFIRM, parameters)
            if changed:
                webhook_events.record(signature_id, webhook_events.CONFIRMED)
    if changed:
        request_fold(signature.campaign_id)
        is_counted, stored_count = changed
        signature.status, signature.confirmed_at = Signature.Status.CONFIRMED, now
        logger.info("signature %s confirmed", signature_id)
        return Confirmation(ConfirmResult.CONFIRMED, signature, stored_count if is_counted else stored_count + 1)
    # Changed since it was read: another click confirmed it first, or it was withdrawn or deleted.
    status = Signature.objects.filter(pk=signature_id).values_list("status", flat=True).first()
    if status is None:
        raise InvalidToken
    signature.status = status
    if status == Signature.Status.CONFIRMED:
        return Confirmation(ConfirmResult.ALREADY_CONFIRMED, signature)
    return Confirmation(ConfirmResult.NOT_CONFIRMABLE, signature)


def _execute_one(statement: PreparedStatement, parameters: list) -> tuple | None:
    with connection.cursor() as cursor:
        statement.execute(cursor, parameters)
        return cursor.fetchone()


def withdraw(signature_id: int, token: str) -> Signature:
    """The signer takes their signature back: it stops counting and their personal data goes."""
    signature = find_by_token(signature_id, token, MANAGE)
    with transaction.atomic():
        withdrawn_now = Signature.objects.filter(pk=signature_id).exclude(status=Signature.Status.WITHDRAWN).update(
            status=Signature.Status.WITHDRAWN, withdrawn_at=timezone.now()
        )
        if withdrawn_now:
            webhook_events.record(signature_id, webhook_events.WITHDRAWN)
            request_fold(signature.campaign_id)
        # Erased on a second press too: a row withdrawn some other way must not keep its data.
        erase_signatures([signature_id])
    if withdrawn_now:
        logger.info("signature %s withdrawn", signature_id)
    reload(signature)
    return signature


def reload(signature: Signature) -> None:
    """Re-read the row; one deleted meanwhile (unconfirmed for too long) is as unknown as a wrong link."""
    try:
        signature.refresh_from_db()
    except Signature.DoesNotExist:
        raise InvalidToken from None


def withdraw_consent(signature_id: int, organisation_id: int) -> bool:
    """The signer no longer wants to hear from this organisation; their signature stands.

    Withdrawing the lead organisation's consent also clears contact_consent,
    which means "may be contacted about this campaign". Returns False when
    there was no consent left to withdraw.
    """
    with transaction.atomic():
        withdrawn = Consent.objects.filter(
            signature_id=signature_id, organisation_id=organisation_id, withdrawn_at__isnull=True
        ).update(withdrawn_at=timezone.now())
        Signature.objects.filter(pk=signature_id, campaign__lead_organisation_id=organisation_id).update(
            contact_consent=False
        )
        if withdrawn:
            webhook_events.record(signature_id, webhook_events.CONSENT_WITHDRAWN, organisation_id)
            AuditEntry.objects.create(
                action="consent_withdrawn",
                signature_id=signature_id,
                campaign_id=Signature.objects.filter(pk=signature_id).values_list("campaign_id", flat=True).first(),
                detail={"organisation_id": organisation_id, "by": "signer"},
            )
    if withdrawn:
        logger.info("signature %s withdrew consent for organisation %s", signature_id, organisation_id)
    return bool(withdrawn)


def stop_emails(signature_id: int) -> bool:
    """Unsubscribe from everything: no organisation updates, no reminders; the signature stands.

    Returns False when emails were already stopped.
    """
    with transaction.atomic():
        stopped = Signature.objects.filter(pk=signature_id, emails_stopped_at__isnull=True).update(
            emails_stopped_at=timezone.now()
        )
        # A reminder already owed is not sent either.
        Signature.objects.filter(pk=signature_id, email_due=Signature.Email.REMINDER).update(email_due="")
        if stopped:
            AuditEntry.objects.create(
                action="emails_stopped",
                signature_id=signature_id,
                campaign_id=Signature.objects.filter(pk=signature_id).values_list("campaign_id", flat=True).first(),
                detail={"by": "signer"},
            )
    if stopped:
        logger.info("signature %s stopped all emails", signature_id)
    return bool(stopped)
