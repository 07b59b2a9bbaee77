"""Sending a batch of emails over one connection of the configured backend, one outcome per message.

SMTP (Django's backend) and the ESPs behind django-anymail both come through
here. A temporary failure (4xx, a dropped or refused connection, an ESP's
server error) is RETRY; a refusal that says the mailbox will never take mail
(see refuses_the_mailbox, an ESP's "rejected" or "invalid") is REJECTED, and
any other permanent refusal is retried too: REJECTED suppresses the address
for good, so only the mailbox's own fault may cause it. A dropped connection is
opened again for the next message. It knows nothing of who the recipients
are: what it logs and raises names error classes and SMTP codes only, never an
address, a name or a link.
"""

import enum
import functools
import logging
import re
import smtplib

from anymail.exceptions import AnymailAPIError, AnymailInvalidAddress, AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address

from .emails import Email

logger = logging.getLogger(__name__)

# ESP recipient statuses (anymail's normalised ones) that will never succeed.
ESP_REFUSED = {"rejected", "invalid"}

# RFC 3463 enhanced status codes that say the recipient's mailbox will never take
# mail: bad mailbox, bad domain, bad mailbox syntax, mailbox moved, null MX
# (RFC 7505) and mailbox disabled. Every other 5.x.x (5.7.1 policy or blocklist,
# 5.2.2 mailbox full, 5.3.x and 5.4.x system trouble, a relay's own "500 Error")
# is about our message, our server or theirs, not the address: suppressing on it
# would lose signers for good to a content filter or a misconfigured relay.
MAILBOX_GONE = {"5.1.1", "5.1.2", "5.1.3", "5.1.6", "5.1.10", "5.2.1"}
# Without an enhanced code, RFC 5321's replies to RCPT that refuse the mailbox itself.
MAILBOX_GONE_AT_RCPT = {550, 551, 553}
ENHANCED_STATUS = re.compile(rb"\s*([245]\.\d{1,3}\.\d{1,3})\b")


class Outcome(enum.Enum):
    SENT = "sent"
    RETRY = "retry"
    REJECTED = "rejected"


class ConnectionLost(Exception):
    """The connection broke while sending; the message may be tried again on a new one."""


class NoMailServer(OSError):
    """Production without EMAIL_HOST or EMAIL_PROVIDER: there is nowhere to send to."""


class NoMailServerBackend(BaseEmailBackend):
    """What production sends through when no mail server is set: nothing, and every email stays owed.

    Django's console backend, the embedded default, would print each message
    (signers' names, their links) into the production logs and count it as
    sent. This one refuses to open, so the outbox keeps every email owed and
    sends it once EMAIL_HOST or EMAIL_PROVIDER is set and the workers restart.
    """

    def open(self):
        raise NoMailServer("no mail server: set EMAIL_HOST or EMAIL_PROVIDER")

    def send_messages(self, email_messages):
        self.open()


def send_batch(messages: list[EmailMessage], *, connection=None, on_outcome=None) -> list[Outcome]:
    """Send each message over one connection, in order; an outcome for every message.

    connection: one the caller keeps open across batches (and closes); by
    default one of the configured backend, closed at the end.
    on_outcome(index, outcome) runs as soon as each message is decided, so a
    caller can record it before the next one goes (a worker killed mid-batch
    then re-sends nothing that went).
    """
    outcomes: list[Outcome] = []
    if not messages:
        return outcomes
    owned = connection is None
    connection = connection or get_connection(fail_silently=False)
    opened = False
    try:
        for message in messages:
            if not opened:
                opened = _open(connection)
                if not opened:
                    # The server cannot be reached now: everything left waits for a retry.
                    for index in range(len(outcomes), len(messages)):
                        outcomes.append(Outcome.RETRY)
                        if on_outcome:
                            on_outcome(index, Outcome.RETRY)
                    break
            message.connection = connection
            outcome = _send_one(connection, message)
            if outcome is None:
                # The connection dropped: try this message once more on a fresh one.
                close_quietly(connection)
                opened = _open(connection)
                outcome = _send_one(connection, message) if opened else Outcome.RETRY
                if outcome is None:
                    close_quietly(connection)
                    opened = False
                    outcome = Outcome.RETRY
            outcomes.append(outcome)
            if on_outcome:
                on_outcome(len(outcomes) - 1, outcome)
    finally:
        if opened and owned:
            close_quietly(connection)
    return outcomes


def _open(connection) -> bool:
    try:
        connection.open()
        return True
    except (OSError, smtplib.SMTPException) as exc:
        logger.warning("mail connection could not be opened (%s)", describe(exc))
        return False


def close_quietly(connection) -> None:
    try:
        connection.close()
    except (OSError, smtplib.SMTPException):
        # Closing a connection the server already dropped; nothing more to do.
        pass


def _send_one(connection, message: EmailMessage) -> Outcome | None:
    """The outcome of one message, or None when the connection dropped under it."""
    try:
        sent = _send(connection, message)
    except smtplib.SMTPServerDisconnected as exc:
        logger.warning("mail connection dropped (%s)", describe(exc))
        return None
    except smtplib.SMTPRecipientsRefused as exc:
        replies = list(exc.recipients.values())
        logger.warning("recipient refused (SMTP %s)", ",".join(status(code, reply) for code, reply in replies))
        gone = replies and all(refuses_the_mailbox(code, reply, at_rcpt=True) for code, reply in replies)
        return Outcome.REJECTED if gone else Outcome.RETRY
    except smtplib.SMTPResponseException as exc:
        # A refusal of MAIL FROM is about our sender, never the recipient's.
        logger.warning("message refused (SMTP %s)", status(exc.smtp_code, exc.smtp_error))
        if isinstance(exc, smtplib.SMTPDataError) and refuses_the_mailbox(exc.smtp_code, exc.smtp_error, at_rcpt=False):
            return Outcome.REJECTED
        return Outcome.RETRY
    except smtplib.SMTPException as exc:
        logger.warning("message not sent (%s)", describe(exc))
        return Outcome.RETRY
    except (AnymailRecipientsRefused, AnymailInvalidAddress) as exc:
        logger.warning("recipient refused by the email provider (%s)", type(exc).__name__)
        return Outcome.REJECTED
    except AnymailAPIError as exc:
        logger.warning("email provider did not take the message (%s)", type(exc).__name__)
        return Outcome.RETRY
    except ValueError as exc:
        # Django refuses an address it cannot encode (sanitize_address).
        logger.warning("recipient address cannot be encoded (%s)", type(exc).__name__)
        return Outcome.REJECTED
    except OSError as exc:
        logger.warning("mail connection failed (%s)", describe(exc))
        return None
    if not sent:
        return Outcome.RETRY
    return _esp_outcome(message)


def enhanced_status(reply) -> str | None:
    """The RFC 3463 enhanced status code that opens an SMTP reply's text ("5.1.1"), if it has one."""
    if isinstance(reply, str):
        reply = reply.encode("utf-8", "replace")
    match = ENHANCED_STATUS.match(reply or b"")
    return match.group(1).decode("ascii") if match else None


def refuses_the_mailbox(code: int, reply, *, at_rcpt: bool) -> bool:
    """Whether an SMTP refusal says the recipient's mailbox will never take mail.

    With an enhanced status code, only MAILBOX_GONE does. Without one, a 550,
    551 or 553 at RCPT does; at DATA the recipient was already accepted, so a
    refusal there without a code that names the mailbox is about the message.
    """
    if not 500 <= code < 600:
        return False
    enhanced = enhanced_status(reply)
    if enhanced is not None:
        return enhanced in MAILBOX_GONE
    return at_rcpt and code in MAILBOX_GONE_AT_RCPT


def status(code: int, reply) -> str:
    """An SMTP reply's codes for the log ("550 5.1.1"): its text can quote the address, so never that."""
    enhanced = enhanced_status(reply)
    return f"{code} {enhanced}" if enhanced else str(code)


def _send(connection, message: EmailMessage) -> int:
    """Send one message; over Django's SMTP backend, what it would send, written without its MIME tree (Email.wire_bytes)."""
    data = message.wire_bytes() if isinstance(connection, SMTPBackend) and isinstance(message, Email) else None
    if data is None or not message.recipients():
        return connection.send_messages([message])
    # What the backend's _send does with the message's bytes.
    if connection.connection is None:
        raise smtplib.SMTPServerDisconnected("not connected")
    encoding = message.encoding or settings.DEFAULT_CHARSET
    recipients = [envelope_recipient(address, encoding) for address in message.recipients()]
    try:
        sendmail(connection.connection, envelope_sender(message.from_email, encoding), recipients, data)
    except smtplib.SMTPException:
        if not connection.fail_silently:
            raise
        return 0
    return 1


# Every message of a drain has the same sender; its envelope form is worked out once.
envelope_sender = functools.lru_cache(maxsize=16)(sanitize_address)

# An address of plain ASCII: a dot-atom local part of common characters (no
# "=" or "?", which could start an RFC 2047 encoded word the parser decodes),
# and a domain of labels the IDNA codec passes as they are (1 to 63
# characters). Django's sanitize_address gives such an address back unchanged
# (tests/petition/test_envelope_address.py); parsing it to find that out was a
# tenth of the drain's CPU per email.
PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9_%+'-]+(?:\.[A-Za-z0-9_%+'-]+)*@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*")


def envelope_recipient(address, encoding: str) -> str:
    """sanitize_address(address, encoding), without parsing an address that is plain ASCII."""
    if isinstance(address, str) and PLAIN_ADDRESS.fullmatch(address):
        return address
    return sanitize_address(address, encoding)


def sendmail(smtp: smtplib.SMTP, sender: str, recipients: list[str], data: bytes) -> None:
    """smtp.sendmail(sender, recipients, data), quoting the envelope addresses without parsing the plain ones.

    smtplib quotes each address for MAIL FROM and RCPT TO by parsing it
    (email.utils.parseaddr), a sixth of the drain's CPU per email. A plain
    address (PLAIN_ADDRESS) quotes as <address>
    (tests/petition/test_envelope_address.py), and the sender, the same for
    every message, is quoted once. The replies are handled as sendmail
    handles them, raising the same exceptions.
    """
    smtp.ehlo_or_helo_if_needed()
    size = f" size={len(data)}" if smtp.does_esmtp and smtp.has_extn("size") else ""
    # A body of 8-bit text (Email writes a non-ASCII part as 8bit) is declared, as RFC 6152 asks;
    # smtplib's sendmail never does, and a strict server may refuse or mangle it undeclared.
    body = " BODY=8BITMIME" if not data.isascii() and smtp.does_esmtp and smtp.has_extn("8bitmime") else ""
    code, reply = smtp.docmd("mail", f"FROM:{quoted_sender(sender)}{size}{body}")
    if code != 250:
        end_transaction(smtp, code)
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    refused = {}
    for recipient in recipients:
        code, reply = smtp.docmd("rcpt", f"TO:{quoted_recipient(recipient)}")
        if code not in (250, 251):
            refused[recipient] = (code, reply)
        if code == 421:
            smtp.close()
            raise smtplib.SMTPRecipientsRefused(refused)
    if len(refused) == len(recipients):
        end_transaction(smtp, code)
        raise smtplib.SMTPRecipientsRefused(refused)
    code, reply = smtp.data(data)
    if code != 250:
        end_transaction(smtp, code)
        raise smtplib.SMTPDataError(code, reply)


quoted_sender = functools.lru_cache(maxsize=16)(smtplib.quoteaddr)


def quoted_recipient(address: str) -> str:
    """smtplib.quoteaddr(address), without parsing an address that is plain ASCII."""
    if PLAIN_ADDRESS.fullmatch(address):
        return f"<{address}>"
    return smtplib.quoteaddr(address)


def end_transaction(smtp: smtplib.SMTP, code: int) -> None:
    """After a refusal: the server closing (421) is closed; otherwise the mail transaction is reset, as sendmail does."""
    if code == 421:
        smtp.close()
        return
    try:
        smtp.rset()
    except smtplib.SMTPServerDisconnected:
        pass


def _esp_outcome(message: EmailMessage) -> Outcome:
    status = getattr(message, "anymail_status", None)
    recipients = getattr(status, "recipients", None) or {}
    statuses = {getattr(recipient, "status", None) for recipient in recipients.values()}
    if statuses and statuses <= ESP_REFUSED:
        return Outcome.REJECTED
    return Outcome.SENT


def describe(exc: BaseException) -> str:
    """An exception's class and, for SMTP, its code: never its text, which can quote an address."""
    code = getattr(exc, "smtp_code", None)
    return f"{type(exc).__name__} {code}" if code else type(exc).__name__
