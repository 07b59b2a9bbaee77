"""A text-and-HTML email as the bytes SMTP carries, for sending one text to many people.

Django's EmailMultiAlternatives builds a tree of MIME objects for every message
and folds each of its headers: about half a millisecond of CPU, most of it the
same from one recipient to the next. Alternative does the constant part once
(the headers every message shares, the boundary) and per message only encodes
what differs: its headers through Django's checks and the folding of
petition.header_folding (newlines refused, non-ASCII encoded, link headers
whole), and both parts as quoted-printable with binascii, in C.
Quoted-printable keeps every line at most 76 characters of ASCII whatever
the text's script or paragraph length, and it never contains two "=" in a
row, so it cannot contain the boundary.
"""

import binascii
import functools
import re
import secrets
from email.utils import formatdate, make_msgid, parseaddr
from typing import NamedTuple

from django.conf import settings
from django.core.mail.message import forbid_multi_line_headers, sanitize_address
from django.core.mail.utils import DNS_NAME

from .header_folding import WIRE_POLICY, encoded_subject

CHARSET = "utf-8"
# Every email we send is written by a program, not a person (RFC 3834): mail
# systems send no out-of-office or other automatic reply to it, which a viral
# day's confirmation emails would otherwise bring to the sender's mailbox by
# the thousand. Exchange reads its own header; OOF and AutoReply only, so that
# its non-delivery reports, which keep the suppression list right, still come.
AUTOMATED_HEADERS = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "OOF, AutoReply"}
DOMAIN_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")


@functools.lru_cache(maxsize=64)
def message_id_domain(from_email: str) -> str:
    """The domain a message's Message-ID is named after: the sender's, which mailbox providers check it against.

    Django names it after the machine (socket.getfqdn()): in a container its
    random hostname, which tells every recipient a name from inside our
    network and matches nothing the sender's domain publishes. A sender
    whose domain is not a plain ASCII name keeps Django's choice (or
    "localhost" if the machine's name is not one either).
    """
    _, at, domain = parseaddr(from_email)[1].rpartition("@")
    if at and DOMAIN_NAME.fullmatch(domain):
        return domain.lower()
    machine = str(DNS_NAME)
    return machine if DOMAIN_NAME.fullmatch(machine) else "localhost"



def header(name: str, value: str) -> bytes:
    """One header line as Django's message would carry it."""
    return WIRE_POLICY.fold_binary(*forbid_multi_line_headers(name, value, CHARSET))


def subject_header(subject: str) -> bytes:
    """The Subject line; a non-ASCII one starts on that line, as in petition.emails.Email, not on the next."""
    checked = header("Subject", subject)  # Django's checks: a line break is refused
    return checked if subject.isascii() else encoded_subject(subject)


def quoted_printable(text: str) -> bytes:
    # Line breaks as the email package reads them (\r\n, \r or \n), sent as CRLF.
    lines = text.replace("\r\n", "\n").replace("\r", "\n").encode(CHARSET)
    return binascii.b2a_qp(lines, istext=True).replace(b"\n", b"\r\n")


def part(subtype: str, text: str) -> bytes:
    return (
        b'Content-Type: text/' + subtype.encode("ascii") + b'; charset="utf-8"\r\n'
        b"MIME-Version: 1.0\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n" + quoted_printable(text)
    )


class Rendered(NamedTuple):
    sender: str  # the envelope's, as Django's SMTP backend gives them to smtplib
    recipient: str
    data: bytes


class Alternative:
    """Messages from one sender with the same constant headers, each with its own recipient, subject and parts."""

    def __init__(self, from_email: str, headers: dict[str, str]):
        self.envelope_from = sanitize_address(from_email, CHARSET)
        self.message_id_domain = message_id_domain(from_email)
        self.boundary = "=" * 15 + secrets.token_hex(10) + "=="
        self.constant = b"".join(
            [
                header("Content-Type", f'multipart/alternative; boundary="{self.boundary}"'),
                b"MIME-Version: 1.0\r\n",
                header("From", from_email),
                *(header(name, value) for name, value in headers.items()),
            ]
        )
        self.delimiter = b"\r\n--" + self.boundary.encode("ascii") + b"\r\n"

    def render(self, to: str, subject: str, text: str, html: str, headers: dict[str, str]) -> Rendered:
        """ValueError when the address cannot be encoded, as from Django's SMTP backend."""
        recipient = sanitize_address(to, CHARSET)
        data = b"".join(
            [
                self.constant,
                subject_header(subject),
                WIRE_POLICY.fold_binary("To", recipient),
                header("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)),
                header("Message-ID", make_msgid(domain=self.message_id_domain)),
                *(header(name, value) for name, value in headers.items()),
                self.delimiter,
                part("plain", text),
                self.delimiter,
                part("html", html),
                self.delimiter[:-2],
                b"--\r\n",
            ]
        )
        return Rendered(self.envelope_from, recipient, data)
