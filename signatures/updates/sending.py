"""Workers sending an update: each recipient exactly once, however workers die, race or find SMTP refusing.

A worker takes permits from the shared throttle, claims a batch of pending
recipient rows under a lease (FOR UPDATE SKIP LOCKED, so racing workers get
different rows) and sends them over one connection with petition.mailer.
Through GuardedConnection each message is marked sending just before it
leaves, by a conditional update that also checks the consent still stands,
and sent once the server accepted it (on PostgreSQL in that same statement
for the next message). So at any moment a worker holds at most one message
whose fate is unknown: if it dies there, that row is left sending, and once
its lease ran out it becomes uncertain and is never sent again; the rest of
its batch goes back to pending for the next worker. Over SMTP each message
goes as bytes built from its language's skeleton (Composer.wire).
"""

import logging
import smtplib
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import connection, transaction
from django.db.models import Count, F, Q, Subquery
from django.db.models.functions import Coalesce, Now
from django.db.models.sql import subqueries as sql
from django.utils import timezone

from campaigns.models import Update
from petition.mailer import Outcome, send_batch

from ..models import Signature, UpdateRecipient
from . import throttle
from .audience import still_consenting
from .compose import Composer
from .statements import Statement

logger = logging.getLogger(__name__)

Status = UpdateRecipient.Status
LEFT_TO_SEND = [Status.PENDING, Status.CLAIMED, Status.SENDING]
SIGNER_FIELDS = ["id", "first_name", "last_name", "email", "language", "link_salt"]
MAX_BACKOFF_SECONDS = 60
THROTTLE_RECHECK_SECONDS = 5


def lease() -> timedelta:
    return timedelta(seconds=settings.UPDATE_LEASE_SECONDS)


@dataclass
class Claim:
    token: uuid.UUID
    rows: list[tuple[int, int]]  # (recipient id, signature id)


@dataclass
class Tally:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    retry: int = 0


SENTINEL_ID = -7_319_004_211  # stands for the recipient's id while a statement is compiled


def compiled_update(queryset, values: dict) -> tuple[str, list]:
    """The SQL of queryset.update(**values), compiled once so each message only binds its row's id."""
    query = queryset.query.chain(sql.UpdateQuery)
    query.add_update_values(values)
    return query.get_compiler(queryset.db).as_sql()


def joined(first: tuple[str, list], second: tuple[str, list]) -> tuple[str, list]:
    """Two compiled updates as one statement returning how many rows each changed: one round trip, one commit."""
    return (
        f"WITH first AS ({first[0]} RETURNING 1), second AS ({second[0]} RETURNING 1) "
        "SELECT (SELECT count(*) FROM first), (SELECT count(*) FROM second)",
        [*first[1], *second[1]],
    )


@dataclass
class Guard:
    """The per-message record around each send: consent checked before, success written after.

    Its statements are compiled from the ORM once per batch (the consent
    condition is audience.consenting, the one definition), prepared, and run
    per message with the row's id bound. On PostgreSQL a message the server
    took is written sent in the same statement that marks the next one
    sending after checking its consent (flush() writes the batch's last): one
    statement per message, and still at most one row sending at any moment.
    """

    update: Update
    token: uuid.UUID
    tally: Tally
    skipped: set = field(default_factory=set)
    lost: set = field(default_factory=set)
    accepted: int | None = None  # taken by the server, not yet written sent

    def __post_init__(self):
        mine = UpdateRecipient.objects.filter(
            pk=SENTINEL_ID, claim=self.token, status__in=[Status.CLAIMED, Status.SENDING], claimed_until__gt=Now()
        )
        begin = compiled_update(
            mine.filter(still_consenting(self.update)), {"status": Status.SENDING, "attempts": F("attempts") + 1}
        )
        skip = compiled_update(mine.filter(status=Status.CLAIMED), {"status": Status.SKIPPED, "claim": None})
        sent = compiled_update(
            UpdateRecipient.objects.filter(pk=SENTINEL_ID, claim=self.token, status=Status.SENDING),
            {"status": Status.SENT, "sent_at": Now()},
        )
        self.begin_statement = Statement(*begin, SENTINEL_ID)
        self.skip_statement = Statement(*skip, SENTINEL_ID)
        self.sent_statement = Statement(*sent, SENTINEL_ID)
        # SQLite, the embedded database, has no UPDATE inside WITH.
        self.sent_and_begin_statement = (
            Statement(*joined(sent, begin), SENTINEL_ID) if connection.vendor == "postgresql" else None
        )

    def begin(self, recipient_id: int) -> bool:
        if self.accepted is None:
            [began] = self.begin_statement.execute(recipient_id)
        else:
            sent, began = self.sent_and_begin_statement.execute(self.accepted, recipient_id)
            self.tally.sent += sent
            self.accepted = None
        if began:
            return True
        [skipped] = self.skip_statement.execute(recipient_id)
        if skipped:
            self.skipped.add(recipient_id)
            self.tally.skipped += 1
        else:
            # The lease ran out and another worker took the row over.
            self.lost.add(recipient_id)
        return False

    def sent(self, recipient_id: int) -> None:
        self.accepted = recipient_id
        if self.sent_and_begin_statement is None:
            self.flush()

    def flush(self) -> None:
        if self.accepted is not None:
            [sent] = self.sent_statement.execute(self.accepted)
            self.tally.sent += sent
            self.accepted = None

    def close(self) -> None:
        """After flush(), at the end of the batch."""
        for statement in (self.begin_statement, self.skip_statement, self.sent_statement, self.sent_and_begin_statement):
            if statement is not None:
                statement.close()


@dataclass
class Prerendered:
    """One signer's message for Django's SMTP backend, rendered to bytes as it leaves (Composer.wire)."""

    update_recipient_id: int
    signature: Signature
    composer: Composer

    def send(self, backend: SMTPBackend) -> int:
        sender, recipient, data = self.composer.wire(self.signature)
        if backend.connection is None:
            raise smtplib.SMTPServerDisconnected("not connected")
        backend.connection.sendmail(sender, [recipient], data)
        return 1


class GuardedConnection:
    """A mail backend whose every message passes the guard: nothing leaves without a live claim and consent."""

    def __init__(self, backend, guard: Guard):
        self.backend = backend
        self.guard = guard

    def open(self):
        return self.backend.open()

    def close(self):
        return self.backend.close()

    def send_messages(self, messages) -> int:
        count = 0
        for message in messages:
            if not self.guard.begin(message.update_recipient_id):
                continue
            if isinstance(message, Prerendered):
                delivered = message.send(self.backend)
            else:
                delivered = self.backend.send_messages([message])
            if delivered:
                self.guard.sent(message.update_recipient_id)
                count += 1
        return count


def close_quietly(connection) -> None:
    try:
        connection.close()
    except (OSError, smtplib.SMTPException):
        # The server already dropped it.
        pass


def release_expired(update_id: int) -> int:
    """Rows of workers whose lease ran out: unsent ones wait again, the one mid-send becomes uncertain."""
    now = timezone.now()
    expired = UpdateRecipient.objects.filter(update_id=update_id, claimed_until__lt=now)
    uncertain = expired.filter(status=Status.SENDING).update(status=Status.UNCERTAIN, claim=None)
    expired.filter(status=Status.CLAIMED).update(status=Status.PENDING, claim=None, claimed_until=None)
    if uncertain:
        logger.warning("update %s: %s message(s) interrupted mid-send, not sent again", update_id, uncertain)
        recount(update_id)
    return uncertain


def claim(update_id: int, size: int) -> Claim:
    token = uuid.uuid4()
    with transaction.atomic():
        ids = list(
            UpdateRecipient.objects.select_for_update(skip_locked=True)
            .filter(update_id=update_id, status=Status.PENDING)
            .order_by("pk")
            .values_list("pk", flat=True)[:size]
        )
        UpdateRecipient.objects.filter(pk__in=ids).update(
            status=Status.CLAIMED, claim=token, claimed_until=timezone.now() + lease()
        )
    rows = list(UpdateRecipient.objects.filter(pk__in=ids, claim=token).order_by("pk").values_list("pk", "signature_id"))
    return Claim(token, rows)


# ESPs behind django-anymail whose batch send fills per-recipient values into one message, and their syntax.
BATCH_MERGE_FIELDS = {
    "anymail.backends.mailgun.EmailBackend": "%recipient.{}%",
}
ESP_REFUSED = {"rejected", "invalid"}


def send_claimed_as_batch(update: Update, composer: Composer, batch: Claim, merge_field: str) -> Tally:
    """One API call per language: the claimed rows whose consent still stands, as one batch message."""
    tally = Tally()
    signers = Signature.objects.only(*SIGNER_FIELDS).in_bulk([signature_id for _, signature_id in batch.rows])
    by_language: dict[str, list[tuple[int, Signature]]] = {}
    for recipient_id, signature_id in batch.rows:
        signer = signers.get(signature_id)
        if signer is not None:
            skeleton = composer.skeleton(signer.language)
            by_language.setdefault(skeleton.language, []).append((recipient_id, signer))
    mine = UpdateRecipient.objects.filter(claim=batch.token, claimed_until__gt=Now())
    for members in by_language.values():
        ids = [recipient_id for recipient_id, _ in members]
        consenting = set(
            mine.filter(pk__in=ids, status=Status.CLAIMED).filter(still_consenting(update)).values_list("pk", flat=True)
        )
        mine.filter(pk__in=consenting, status=Status.CLAIMED).update(status=Status.SENDING, attempts=F("attempts") + 1)
        tally.skipped += mine.filter(pk__in=ids, status=Status.CLAIMED).update(status=Status.SKIPPED, claim=None)
        members = [(recipient_id, signer) for recipient_id, signer in members if recipient_id in consenting]
        if not members:
            continue
        message = composer.batch_message([signer for _, signer in members], merge_field)
        [outcome] = send_batch([message])
        sending_rows = UpdateRecipient.objects.filter(claim=batch.token, status=Status.SENDING)
        if outcome == Outcome.RETRY:
            tally.failed += sending_rows.filter(pk__in=consenting, attempts__gte=settings.UPDATE_MAX_ATTEMPTS).update(
                status=Status.FAILED, claim=None
            )
            tally.retry += sending_rows.filter(pk__in=consenting).update(
                status=Status.PENDING, claim=None, claimed_until=None
            )
            continue
        statuses = getattr(getattr(message, "anymail_status", None), "recipients", None) or {}
        refused = {
            recipient_id for recipient_id, signer in members
            if outcome == Outcome.REJECTED or getattr(statuses.get(signer.email), "status", None) in ESP_REFUSED
        }  # fmt: skip
        tally.failed += sending_rows.filter(pk__in=refused).update(status=Status.FAILED, claim=None)
        tally.sent += sending_rows.filter(pk__in=consenting - refused).update(status=Status.SENT, sent_at=Now())
    tally.skipped += UpdateRecipient.objects.filter(claim=batch.token, status=Status.CLAIMED).update(
        status=Status.SKIPPED, claim=None
    )
    add_to_tallies(update.pk, tally)
    return tally


def add_to_tallies(update_id: int, tally: Tally) -> None:
    Update.objects.filter(pk=update_id).exclude(status=Update.Status.DONE).update(
        sent_count=F("sent_count") + tally.sent,
        skipped_count=F("skipped_count") + tally.skipped,
        failed_count=F("failed_count") + tally.failed,
        updated_at=timezone.now(),
    )


def send_claimed(update: Update, composer: Composer, batch: Claim) -> Tally:
    merge_field = BATCH_MERGE_FIELDS.get(settings.EMAIL_BACKEND)
    if merge_field:
        return send_claimed_as_batch(update, composer, batch, merge_field)
    tally = Tally()
    guard = Guard(update, batch.token, tally)
    signers = Signature.objects.only(*SIGNER_FIELDS).in_bulk([signature_id for _, signature_id in batch.rows])
    backend = get_connection(fail_silently=False)
    messages = []
    for recipient_id, signature_id in batch.rows:
        signer = signers.get(signature_id)
        if signer is None:
            continue
        if isinstance(backend, SMTPBackend):
            messages.append(Prerendered(recipient_id, signer, composer))
        else:
            # Other backends (an ESP's API, the console) take Django's message, and report on it.
            message = composer.message(signer)
            message.update_recipient_id = recipient_id
            messages.append(message)
    guarded = GuardedConnection(backend, guard)
    try:
        outcomes = send_batch(messages, connection=guarded)
    finally:
        # A connection handed to send_batch is the caller's to close.
        close_quietly(guarded)
    guard.flush()
    guard.close()
    rejected, retry = [], []
    for message, outcome in zip(messages, outcomes, strict=True):
        recipient_id = message.update_recipient_id
        if recipient_id in guard.skipped or recipient_id in guard.lost or outcome == Outcome.SENT:
            continue
        (rejected if outcome == Outcome.REJECTED else retry).append(recipient_id)
    mine = UpdateRecipient.objects.filter(claim=batch.token, status__in=[Status.CLAIMED, Status.SENDING])
    tally.failed += mine.filter(pk__in=rejected).update(status=Status.FAILED, claim=None)
    tally.failed += mine.filter(pk__in=retry, attempts__gte=settings.UPDATE_MAX_ATTEMPTS).update(
        status=Status.FAILED, claim=None
    )
    tally.retry = mine.filter(pk__in=retry).update(status=Status.PENDING, claim=None, claimed_until=None)
    # Signers deleted since the rows were written (unconfirmed clean-up cannot reach them, erasure can).
    tally.skipped += mine.update(status=Status.SKIPPED, claim=None)
    add_to_tallies(update.pk, tally)
    return tally


def counted(update_id: int, *statuses: str):
    rows = UpdateRecipient.objects.filter(update_id=update_id, status__in=statuses).order_by()
    return Coalesce(Subquery(rows.values("update_id").annotate(n=Count("pk")).values("n")), 0)


def recount(update_id: int, **changes) -> int:
    """The tallies from the rows themselves, in one statement with any other changes to the update.

    After a worker died between a send and its batch's tally, and when the
    update is done: a batch's tally arriving later finds the update done and
    adds nothing (add_to_tallies), so the final figures are the rows' own.
    """
    return Update.objects.filter(pk=update_id).update(
        sent_count=counted(update_id, Status.SENT),
        skipped_count=counted(update_id, Status.SKIPPED),
        failed_count=counted(update_id, Status.FAILED, Status.UNCERTAIN),
        **changes,
    )


def finish_if_done(update_id: int) -> bool:
    if UpdateRecipient.objects.filter(update_id=update_id, status__in=LEFT_TO_SEND).exists():
        return False
    with transaction.atomic():
        if not Update.objects.select_for_update().filter(pk=update_id, status=Update.Status.SENDING).exists():
            return False
        recount(update_id, status=Update.Status.DONE, finished_at=timezone.now())
    logger.info("update %s sent", update_id)
    return True


def is_sending(update_id: int) -> bool:
    return Update.objects.filter(pk=update_id, status=Update.Status.SENDING).exists()


def run(update_id: int) -> int:
    """Send batches until none is left or staff paused or cancelled; returns how many this worker sent."""
    update = Update.objects.select_related("campaign", "organisation").filter(pk=update_id).first()
    if update is None or update.status != Update.Status.SENDING:
        return 0
    composer = Composer(update)
    sent = 0
    backoff = 0
    with relaxed_commits():
        release_expired(update_id)
        while is_sending(update_id):
            # Back every few seconds while throttled, to notice a pause or cancel.
            permits = throttle.take(settings.UPDATE_BATCH_SIZE, give_up_at=time.time() + THROTTLE_RECHECK_SECONDS)
            if not permits:
                continue
            batch = claim(update_id, permits)
            if not batch.rows:
                release_expired(update_id)
                finish_if_done(update_id)
                break
            tally = send_claimed(update, composer, batch)
            sent += tally.sent
            if tally.retry:
                # SMTP refuses or is away: wait longer each time rather than spend the attempts at once.
                backoff = min(MAX_BACKOFF_SECONDS, max(1, backoff * 2))
                time.sleep(backoff)
            else:
                backoff = 0
    logger.info("update %s: this worker sent %s", update_id, sent)
    return sent


class relaxed_commits:
    """Each message commits; PostgreSQL need not wait for the disk on each (a worker's death loses nothing)."""

    def __enter__(self):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO off")

    def __exit__(self, *exc):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")


def stalled_update_ids() -> list[int]:
    """Updates sending with work left and no worker holding a live lease: their workers died or were lost."""
    now = timezone.now()
    live = UpdateRecipient.objects.filter(
        status__in=[Status.CLAIMED, Status.SENDING], claimed_until__gt=now
    ).values("update_id")
    return list(
        Update.objects.filter(status=Update.Status.SENDING, updated_at__lt=now - lease())
        .exclude(pk__in=live)
        .filter(Q(recipients__status__in=LEFT_TO_SEND) | Q(recipients__isnull=True))
        .values_list("pk", flat=True)
        .distinct()
    )
