"""The signature row is its own outbox: sending what each signature is owed, in batches, never twice.

email_due says which email a signature is owed. A drain claims owed rows in
batches with a short lease (email_claimed_at, FOR UPDATE SKIP LOCKED so two
workers take different rows), sends them over one connection
(petition.mailer.send_batch) and marks each row as soon as its message is
handed over. A worker that dies leaves its lease behind, and after LEASE
another drain takes the rows over. A temporary failure waits a growing
backoff (email_not_before); a permanent refusal suppresses the address.
Signing nudges a drain after commit (services.nudge_outbox), which starts
GATHER_SECONDS later so that the signers of that moment share it; beat
drains every OUTBOX_SWEEP_SECONDS whatever was missed (a broker that was
down, a lost nudge, a dead worker).
"""

import logging
import time
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.mail import get_connection
from django.db import InterfaceError, OperationalError, transaction
from django.db import connection as db_connection
from django.db.models import Q
from django.utils import timezone
from redis.exceptions import RedisError

from campaigns.models import Organisation
from petition.mailer import Outcome, close_quietly, send_batch
from petition.prepared import PreparedStatement

from .emailaddr import UndeliverableAddress
from .models import Consent, Signature, Suppression
from .owed_emails import Composer
from .suppression import suppress

logger = logging.getLogger(__name__)

# Set (briefly) when a drain has been enqueued; the drain forgets it before it
# reads any rows, so whatever committed before a signer found the mark is seen.
NUDGE_KEY = "outbox:nudged"
NUDGE_SECONDS = 1
# A nudged drain waits this long before it starts: the signers who commit
# meanwhile find the mark and share that drain (one task, one SMTP
# connection, one claim) instead of each starting one of a few emails or
# none. Shorter than NUDGE_SECONDS, so the mark is still there all along.
GATHER_SECONDS = 0.5

# How long a claim holds: a worker renews it before each chunk; one that died
# lets go after this long.
LEASE = timedelta(seconds=30)
BATCH = 50
CHUNK = 10
# A drain stops after this long and leaves the rest to the next one (nudged by
# the signers meanwhile, or beat): a worker process is never held for long, so
# count folds queued behind a drain wait seconds at most.
DRAIN_SECONDS = 5
# Temporary failures wait RETRY_BASE * 2**attempts, at most RETRY_MAX; after
# FAILED_AFTER attempts the admin shows the signature as failing to send.
RETRY_BASE = timedelta(seconds=5)
RETRY_MAX = timedelta(minutes=10)
FAILED_AFTER = 6
# A message has gone but the database connection broke before its row was
# marked (PostgreSQL restarted, pg_terminate_backend, a failover): the mark is
# tried again on a new connection after each of these waits (seconds), well
# within LEASE. Given up, the row stays owed and the email would go twice.
MARK_RETRY_WAITS = (0.1, 0.5, 1, 2, 4)

EMAIL_TEMPLATES = {
    Signature.Email.CONFIRM: ("confirm", Signature.Status.PENDING),
    Signature.Email.ALREADY_SIGNED: ("already-signed", Signature.Status.CONFIRMED),
    Signature.Email.REMINDER: ("reminder", Signature.Status.PENDING),
}


def claimable(now):
    return (
        Signature.objects.with_email_due()
        .filter(Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - LEASE))
        .filter(Q(email_not_before__isnull=True) | Q(email_not_before__lte=now))
    )


def claim(limit: int = BATCH, only: list[int] | None = None) -> tuple:
    """Take up to `limit` owed rows for this worker; (claim time, ids), the time marking the lease."""
    now = timezone.now()
    rows = claimable(now)
    if only is not None:
        rows = rows.filter(pk__in=only)
    with transaction.atomic():
        ids = list(rows.order_by("email_requested_at").select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
        if ids:
            Signature.objects.filter(pk__in=ids).update(email_claimed_at=now)
    return now, ids


# Renewing the lease, written out: it runs before every chunk, and the ORM's
# compilation of a SELECT ... FOR UPDATE and an UPDATE cost more CPU than
# PostgreSQL spends on both. One UPDATE takes the same row locks, and a row
# another worker took over meanwhile is re-checked as it now is (its claim time
# no longer matches) and left alone, as after FOR UPDATE. make run's SQLite
# needs 3.35 or later (2021) for RETURNING.
RENEW_SQL = (
    f"UPDATE {Signature._meta.db_table} SET email_claimed_at = %s"
    f" WHERE email_claimed_at = %s AND id IN ({{ids}}) RETURNING id"
)


def renew(ids: list[int], held_since) -> tuple:
    """Extend the lease on rows this worker still holds; rows another worker took over are dropped."""
    now = timezone.now()
    if not ids:
        return now, []
    adapt = db_connection.ops.adapt_datetimefield_value
    with db_connection.cursor() as cursor:
        cursor.execute(RENEW_SQL.format(ids=placeholders(ids)), [adapt(now), adapt(held_since), *ids])
        held = {row[0] for row in cursor.fetchall()}
    return now, [pk for pk in ids if pk in held]


class Lease:
    """The rows this worker holds and since when; renewed while it works through them."""

    def __init__(self, held_since, ids: list[int]):
        self.held_since = held_since
        self.ids = list(ids)

    def renew(self, ids: list[int]) -> list[int]:
        """Renew the lease on these rows; those another worker took over meanwhile are left out."""
        self.held_since, kept = renew(ids, self.held_since)
        return kept

    def renew_if_old(self, ids: list[int]) -> None:
        if ids and timezone.now() - self.held_since > LEASE / 3:
            self.renew(ids)

    def mine(self, signature_id: int):
        return Signature.objects.filter(pk=signature_id, email_claimed_at=self.held_since)


def drain(seconds: float = DRAIN_SECONDS) -> int:
    """Send what is owed, batch after batch over one connection, until nothing is left or the time is up.

    Returns the emails sent. The connection opens with the first message, so
    a drain that finds nothing owed talks to no mail server. A batch smaller
    than BATCH was all there was to claim: the drain stops after it rather
    than claim again for nothing. A row committed since is not left behind:
    its signer found no nudge mark (the drain forgot it before claiming) and
    asked for a drain of its own.
    """
    deadline = time.monotonic() + seconds
    sent = 0
    connection = get_connection(fail_silently=False)
    try:
        while time.monotonic() < deadline:
            held_since, ids = claim()
            if not ids:
                break
            sent += deliver_claimed(Lease(held_since, ids), connection)
            if len(ids) < BATCH:
                break
    finally:
        close_quietly(connection)
    return sent


def deliver_due_email(signature_id: int) -> bool:
    """Send this one signature's owed email now, if no other worker holds it; True when it was sent."""
    held_since, ids = claim(limit=1, only=[signature_id])
    if not ids:
        return False
    connection = get_connection(fail_silently=False)
    try:
        return deliver_claimed(Lease(held_since, ids), connection) == 1
    finally:
        close_quietly(connection)


def deliver_claimed(lease: Lease, connection) -> int:
    """Send the leased rows in chunks over the caller's connection, marking each row as its message goes."""
    sent = 0
    pending = list(lease.ids)
    composer = Composer()
    while pending:
        pending = lease.renew(pending)
        chunk, pending = pending[:CHUNK], pending[CHUNK:]
        sent += _deliver_chunk(chunk, lease, connection, later=pending, composer=composer)
    return sent


def _deliver_chunk(ids: list[int], lease: Lease, connection, later: list[int], composer: Composer) -> int:
    if not ids:
        # Every row was taken over by another worker before this chunk's renewal.
        return 0
    adapt = db_connection.ops.adapt_datetimefield_value
    signatures = list(
        Signature.objects.raw(CHUNK_SQL.format(values=placeholders(ids)), [adapt(lease.held_since), *ids])
    )
    suppressed = suppressed_among([s.email_canonical for s in signatures])
    organisations = consented_organisations([s.pk for s in signatures])
    to_send, messages = [], []
    for signature in signatures:
        reason = _why_not(signature, suppressed)
        if not reason:
            try:
                messages.append(
                    composer.message(EMAIL_TEMPLATES[signature.email_due][0], signature, organisations[signature.pk])
                )
            except UndeliverableAddress:
                reason = "undeliverable"
        if reason:
            _drop(signature, lease, reason)
        else:
            to_send.append(signature)

    def record(index: int, outcome: Outcome) -> None:
        _record(to_send[index], lease, outcome)
        lease.renew_if_old([s.pk for s in to_send[index + 1 :]] + later)

    outcomes = send_batch(messages, connection=connection, on_outcome=record)
    return sum(1 for outcome in outcomes if outcome is Outcome.SENT)


def _why_not(signature: Signature, suppressed: set) -> str:
    """Why this owed email is no longer to be sent, or "" when it is."""
    _template, required_status = EMAIL_TEMPLATES.get(signature.email_due, (None, None))
    if required_status is None or signature.status != required_status or signature.erased_at:
        return "not owed"
    if signature.emails_sent >= settings.MAX_EMAILS_PER_SIGNATURE:
        return "limit"
    if signature.email_due == Signature.Email.REMINDER and (signature.reminder_sent_at or signature.emails_stopped_at):
        return "not owed"
    if signature.email_canonical in suppressed:
        return "undeliverable"
    return ""


def _drop(signature: Signature, lease: Lease, reason: str) -> None:
    changes = {"email_due": "", "email_claimed_at": None, "email_not_before": None}
    if reason == "undeliverable" and signature.email_due == Signature.Email.CONFIRM:
        changes["undeliverable_at"] = timezone.now()
    lease.mine(signature.pk).update(**changes)
    logger.info("email for signature %s not sent (%s)", signature.pk, reason)


# Marking a row whose email went, written out: it runs once per email, and
# the ORM's compilation of this update cost a fifth of the drain's CPU per
# email. Only while this worker's lease holds (the claim time matches), as
# lease.mine(); the time of the kind of email sent is set too.
SENT_SQL = (
    f"UPDATE {Signature._meta.db_table} SET email_due = '', email_claimed_at = NULL, email_not_before = NULL,"
    f" email_attempts = 0, emails_sent = emails_sent + 1, send_failed_at = NULL{{sent_at}}"
    f" WHERE id = %s AND email_claimed_at = %s"
)
SENT_STATEMENTS = {
    Signature.Email.CONFIRM: PreparedStatement("confirm_email_sent", SENT_SQL.format(sent_at=", confirmation_sent_at = %s")),
    Signature.Email.REMINDER: PreparedStatement("reminder_email_sent", SENT_SQL.format(sent_at=", reminder_sent_at = %s")),
    Signature.Email.ALREADY_SIGNED: PreparedStatement("already_signed_email_sent", SENT_SQL.format(sent_at="")),
}


def _mark_sent(signature: Signature, lease: Lease, now) -> None:
    adapt = db_connection.ops.adapt_datetimefield_value
    statement = SENT_STATEMENTS[signature.email_due]
    params = [signature.pk, adapt(lease.held_since)]
    if signature.email_due != Signature.Email.ALREADY_SIGNED:
        params.insert(0, adapt(now))
    with db_connection.cursor() as cursor:
        statement.execute(cursor, params)


def _record(signature: Signature, lease: Lease, outcome: Outcome) -> None:
    """Write down what became of a message that was just handed over, on a new connection if the old one broke.

    Every write here is conditional on this worker's lease (or idempotent), so
    writing it again after a connection died under the first try changes
    nothing twice. Not recording a SENT message would send it again once the
    lease runs out.
    """
    for wait in MARK_RETRY_WAITS:
        try:
            return _write_outcome(signature, lease, outcome)
        except (OperationalError, InterfaceError) as exc:
            if db_connection.in_atomic_block:
                # The caller's transaction is gone with its connection; nothing to retry here.
                raise
            logger.warning(
                "database connection lost recording the %s email of signature %s (%s); trying again on a new one",
                outcome.value,
                signature.pk,
                type(exc).__name__,
            )
            db_connection.close()
            time.sleep(wait)
    return _write_outcome(signature, lease, outcome)


def _write_outcome(signature: Signature, lease: Lease, outcome: Outcome) -> None:
    now = timezone.now()
    if outcome is Outcome.SENT:
        _mark_sent(signature, lease, now)
        logger.info("sent %s email for signature %s", signature.email_due, signature.pk)
    elif outcome is Outcome.REJECTED:
        suppress(signature.email_canonical, Suppression.Reason.REJECTED)
        _drop(signature, lease, "undeliverable")
    else:
        attempts = signature.email_attempts + 1
        wait = min(RETRY_BASE * 2 ** min(attempts - 1, 16), RETRY_MAX)
        retry = {"email_claimed_at": None, "email_attempts": attempts, "email_not_before": now + wait}
        if attempts >= FAILED_AFTER:
            retry["send_failed_at"] = now
        lease.mine(signature.pk).update(**retry)
        logger.warning("email for signature %s not sent; try %s again in %ss", signature.pk, attempts, wait.seconds)


def placeholders(values: list) -> str:
    return ", ".join(["%s"] * len(values))


# The rows of each chunk (only while this worker's claim on them holds) and
# its two lookups, written out: compiling them in the ORM (the consents' join
# and order above all) cost more CPU than running them. The rows go through
# raw(), which loads every column as a query would, converted alike (SQLite's
# datetimes too).
CHUNK_SQL = (
    f"SELECT {', '.join(field.column for field in Signature._meta.concrete_fields)} FROM {Signature._meta.db_table}"
    f" WHERE email_claimed_at = %s AND id IN ({{values}})"
)
SUPPRESSED_SQL = f"SELECT email_canonical FROM {Suppression._meta.db_table} WHERE email_canonical IN ({{values}})"
ORGANISATIONS_SQL = (
    f"SELECT c.signature_id, c.organisation_id, o.name FROM {Consent._meta.db_table} c"
    f" JOIN {Organisation._meta.db_table} o ON o.id = c.organisation_id"
    f" WHERE c.withdrawn_at IS NULL AND c.signature_id IN ({{values}}) ORDER BY o.name, c.id"
)


def suppressed_among(addresses: list[str]) -> set:
    """Which of these canonical addresses are suppressed."""
    if not addresses:
        return set()
    with db_connection.cursor() as cursor:
        cursor.execute(SUPPRESSED_SQL.format(values=placeholders(addresses)), addresses)
        return {row[0] for row in cursor.fetchall()}


def consented_organisations(signature_ids: list[int]) -> defaultdict:
    """(id, name) of each organisation a signature's standing consents are to, by name, by signature: one query for a chunk."""
    by_signature = defaultdict(list)
    if not signature_ids:
        return by_signature
    with db_connection.cursor() as cursor:
        cursor.execute(ORGANISATIONS_SQL.format(values=placeholders(signature_ids)), signature_ids)
        for signature_id, organisation_id, name in cursor.fetchall():
            by_signature[signature_id].append((organisation_id, name))
    return by_signature


def forget_nudge() -> None:
    """A drain is starting: the next commit asks for a drain of its own."""
    try:
        cache.delete(NUDGE_KEY)
    except (RedisError, OSError) as exc:
        logger.warning("cache unreachable (%s); the nudge mark expires by itself", type(exc).__name__)
