"""A text-and-HTML email as the bytes SMTP carries, for sending one text to many people.

Django's EmailMultiAlternatives builds a tree of MIME objects for every message
and folds each of its headers: about half a millisecond of CPU, most of it the
same from one recipient to the next. Alternative does the constant part once
(the headers every message shares, the boundary) and per message only encodes
what differs: its headers through the same checks and folding Django applies
(newlines refused, non-ASCII encoded), and both parts as quoted-printable with
binascii, in C. Quoted-printable keeps every line at most 76 characters of
ASCII whatever the text's script or paragraph length, and it never contains
two "=" in a row, so it cannot contain the boundary.
"""

import binascii
import email.policy
import secrets
from email.utils import formatdate, make_msgid
from typing import NamedTuple

from django.conf import settings
from django.core.mail.message import forbid_multi_line_headers, sanitize_address
from django.core.mail.utils import DNS_NAME

POLICY = email.policy.compat32.clone(linesep="\r\n")
CHARSET = "utf-8"


def header(name: str, value: str) -> bytes:
    """One header line as Django's message would carry it."""
    return POLICY.fold_binary(*forbid_multi_line_headers(name, value, CHARSET))


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
                header("Subject", subject),
                POLICY.fold_binary("To", recipient),
                header("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)),
                header("Message-ID", make_msgid(domain=DNS_NAME)),
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
