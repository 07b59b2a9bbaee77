"""Render and send one email from a template triplet, in the recipient's language.

emails/<name>-subject.txt, emails/<name>-body.txt and emails/<name>-body.html.
Every email the platform sends (to signers and to staff) is built here, so
they all look and fold the same way.
"""

import functools
import re
import secrets
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.utils import formatdate, make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import RFC5322_EMAIL_LINE_LENGTH_LIMIT, forbid_multi_line_headers
from django.template.loader import render_to_string
from django.utils import translation

from .header_folding import LINK_HEADERS_POLICY, WIRE_POLICY, encoded_subject
from .mime import AUTOMATED_HEADERS, message_id_domain

# One line, but keep no-break spaces: French puts one before a colon.
SUBJECT_WHITESPACE = re.compile(r"[ \t\r\n]+")


class Email(EmailMultiAlternatives):
    """A message whose encoded Subject starts on the Subject line itself, and whose link headers stay whole.

    Django encodes a non-ASCII subject without telling the encoder the header's
    name, so the first encoded word does not fit after "Subject: " and the whole
    subject lands on a continuation line, which some clients and filters read as
    empty. Told the name, the encoder fills the first line and folds the rest.
    Its Message-ID is named after the sender's domain (mime.message_id_domain).
    """

    def message(self, *args, **kwargs):
        message = super().message(*args, **kwargs)
        if "message-id" not in {name.lower() for name in self.extra_headers}:
            message.replace_header("Message-ID", make_msgid(domain=message_id_domain(self.from_email)))
        if not self.subject.isascii():
            del message["Subject"]
            # Past Django's own __setitem__, which would re-encode it the old way; the text was
            # checked there already (no line breaks) when the message was built.
            MIMEMultipart.__setitem__(message, "Subject", Header(self.subject, "utf-8", header_name="Subject"))
        message.policy = LINK_HEADERS_POLICY
        if message.is_multipart():
            # Left unset, the generator picks a boundary and compiles a regular expression for
            # each message to check its parts do not contain it (a tenth of a confirmation
            # email's CPU). 128 random bits cannot turn up in a text written before they were drawn.
            message.set_boundary(new_boundary())
        return message

    def wire_bytes(self) -> bytes | None:
        """message().as_bytes(linesep="\\r\\n"), what Django's SMTP backend sends, written directly; None when not simple.

        Building the tree of MIME objects and generating it again was half of
        the CPU of sending an outbox email. A text part, one HTML alternative
        and headers of our own making (no Cc, Reply-To, attachments, or lines
        too long for 8bit) are written here with the same header functions the
        tree would use (Django's checks and encoding, this module's folding),
        byte for byte as message() would (tests/petition/test_email_wire.py);
        anything else returns None and goes the usual way.
        """
        if not self.is_simple():
            return None
        encoding = self.encoding or settings.DEFAULT_CHARSET
        boundary = new_boundary()

        def header(name, value):
            return wire_header(name, value, encoding)

        headers = [
            multipart_content_type(boundary),
            b"MIME-Version: 1.0\r\n",
        ]
        subject = shared_header("Subject", self.subject, encoding)  # refuses line breaks, as message() does
        subject_ascii = self.subject.isascii()
        if subject_ascii:
            headers.append(subject)
        headers.append(shared_header("From", self.from_email, encoding))
        headers.append(header("To", ", ".join(str(address) for address in self.to)))
        headers.append(header("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)))
        headers.append(header("Message-ID", make_msgid(domain=message_id_domain(self.from_email))))
        headers.extend(header(name, value) for name, value in self.extra_headers.items())
        if not subject_ascii:
            headers.append(encoded_subject(self.subject))
        delimiter = b"--" + boundary.encode("ascii")
        return b"".join(
            [
                *headers,
                b"\r\n",
                delimiter,
                b"\r\n",
                text_part("plain", self.body, encoding),
                b"\r\n",
                delimiter,
                b"\r\n",
                text_part("html", self.alternatives[0].content, encoding),
                b"\r\n",
                delimiter,
                b"--\r\n",
            ]
        )

    def is_simple(self) -> bool:
        return bool(
            self.body
            and not (self.cc or self.bcc or self.reply_to or self.attachments)
            and len(self.to) == 1
            and len(self.alternatives) == 1
            and self.alternatives[0].mimetype == "text/html"
            and self.content_subtype == "plain"
            and (self.encoding or settings.DEFAULT_CHARSET) == "utf-8"
            and not {name.lower() for name in self.extra_headers} & OWN_HEADERS
            and fits_8bit(self.body)
            and fits_8bit(self.alternatives[0].content)
        )


# Headers message() writes itself, unless extra_headers gives them.
OWN_HEADERS = {"from", "to", "cc", "reply-to", "date", "message-id", "subject", "content-type", "mime-version"}
LINE_BREAKS = re.compile(r"\r\n|\r|\n")


def wire_header(name: str, value: str, encoding: str) -> bytes:
    """One header line as message() would carry it: Django's checks and encoding, this module's folding."""
    return WIRE_POLICY.fold_binary(*forbid_multi_line_headers(name, value, encoding))


# The sender and the subject are the same in many messages in a row (one
# campaign, one language), and encoding them is pure: each is encoded once.
shared_header = functools.lru_cache(maxsize=256)(wire_header)


def new_boundary() -> str:
    return "=" * 15 + secrets.token_hex(16) + "=="


BOUNDARY = re.compile(r"={15}[0-9a-f]{32}==")


def multipart_content_type(boundary: str) -> bytes:
    """The message's Content-Type line as compat32 folds it.

    Too long for one line, it is folded after the ";", the same for every
    boundary new_boundary() draws (one length, no spaces): written out for
    those, as folding it through a Header took a twentieth of the CPU of an
    outbox email (tests/petition/test_email_wire.py compares both).
    """
    if BOUNDARY.fullmatch(boundary):
        return b'Content-Type: multipart/alternative;\r\n boundary="' + boundary.encode("ascii") + b'"\r\n'
    return WIRE_POLICY.fold_binary("Content-Type", f'multipart/alternative; boundary="{boundary}"')


def fits_8bit(text: str) -> bool:
    """No line too long to send as it is: Django would encode such a part as quoted-printable.

    Django measures each line of str.splitlines(); the lines of the encoded
    bytes, split at CR and LF only, hold one or more of those whole, so no
    line of them too long means none of Django's is. The lines are measured
    in one pass in C rather than encoded one by one (a twentieth of an
    outbox email's CPU).
    """
    lines = text.encode(errors="surrogateescape").splitlines()
    return max(map(len, lines), default=0) <= RFC5322_EMAIL_LINE_LENGTH_LIMIT


def text_part(subtype: str, text: str, encoding: str) -> bytes:
    """A UTF-8 text part sent as it is (7bit when all ASCII), line breaks as CRLF, as the email generator writes Django's part."""
    return (
        b"Content-Type: text/" + subtype.encode("ascii") + b'; charset="utf-8"\r\n'
        b"MIME-Version: 1.0\r\n"
        b"Content-Transfer-Encoding: " + (b"7bit" if text.isascii() else b"8bit") + b"\r\n\r\n"
        + LINE_BREAKS.sub("\r\n", text).encode(encoding)
    )


def render_email(name: str, context: dict, language: str, to: list[str], headers: dict | None = None) -> Email:
    with translation.override(language):
        subject = render_to_string(f"emails/{name}-subject.txt", context)
        text = render_to_string(f"emails/{name}-body.txt", context)
        html = render_to_string(f"emails/{name}-body.html", context)
    return compose_email(subject, text, html, to, headers)


def compose_email(subject: str, text: str, html: str, to: list[str], headers: dict | None = None) -> Email:
    """The message of a rendered triplet, marked as automated (mime.AUTOMATED_HEADERS); the subject is put on one line here."""
    message = Email(one_line_subject(subject), text, settings.DEFAULT_FROM_EMAIL, to, headers={**AUTOMATED_HEADERS, **(headers or {})})
    message.attach_alternative(html, "text/html")
    return message


def one_line_subject(subject: str) -> str:
    return SUBJECT_WHITESPACE.sub(" ", subject).strip()


def send_email(name: str, context: dict, language: str, to: list[str], headers: dict | None = None) -> None:
    render_email(name, context, language, to, headers).send()
