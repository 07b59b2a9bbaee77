"""Render and send one email from a template triplet, in the recipient's language.

emails/<name>-subject.txt, emails/<name>-body.txt and emails/<name>-body.html.
Every email the platform sends (to signers and to staff) is built here, so
they all look and fold the same way.
"""

import re
import secrets
from email._policybase import Compat32
from email.header import Header
from email.mime.multipart import MIMEMultipart

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

# One line, but keep no-break spaces: French puts one before a colon.
SUBJECT_WHITESPACE = re.compile(r"[ \t\r\n]+")


# Headers whose value is one long token (a URL): folding can only put it on a
# continuation line of its own, which parsers then read with a leading space.
UNFOLDED_HEADERS = {"list-unsubscribe", "list-unsubscribe-post"}


# Printable ASCII, spaces and tabs: no character that compat32 would encode or take for a line break.
PLAIN_HEADER_VALUE = re.compile(r"[\x20-\x7e\t]*")


class LinkHeadersPolicy(Compat32):
    """Python's compat32 policy (what Django's messages use), leaving the link headers on one line.

    RFC 5322 allows lines up to 998 characters; a URL header far shorter than
    that is better whole on its line than folded before its only token.

    A plain header that fits on its line is written as it is, which is what
    compat32 writes too, without building a Header object to find that out:
    that was a tenth of the CPU of sending a confirmation email.
    """

    def _fold(self, name, value, sanitize):
        if isinstance(value, str):
            if name.lower() in UNFOLDED_HEADERS and value.isascii() and len(value) < 900:
                return f"{name}: {value}{self.linesep}"
            if len(name) + 2 + len(value) <= self.max_line_length and PLAIN_HEADER_VALUE.fullmatch(value):
                return f"{name}: {value}{self.linesep}"
        return super()._fold(name, value, sanitize)


LINK_HEADERS_POLICY = LinkHeadersPolicy()


class Email(EmailMultiAlternatives):
    """A message whose encoded Subject starts on the Subject line itself, and whose link headers stay whole.

    Django encodes a non-ASCII subject without telling the encoder the header's
    name, so the first encoded word does not fit after "Subject: " and the whole
    subject lands on a continuation line, which some clients and filters read as
    empty. Told the name, the encoder fills the first line and folds the rest.
    """

    def message(self, *args, **kwargs):
        message = super().message(*args, **kwargs)
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
            message.set_boundary("=" * 15 + secrets.token_hex(16) + "==")
        return message


def render_email(name: str, context: dict, language: str, to: list[str], headers: dict | None = None) -> Email:
    with translation.override(language):
        subject = render_to_string(f"emails/{name}-subject.txt", context)
        text = render_to_string(f"emails/{name}-body.txt", context)
        html = render_to_string(f"emails/{name}-body.html", context)
    return compose_email(subject, text, html, to, headers)


def compose_email(subject: str, text: str, html: str, to: list[str], headers: dict | None = None) -> Email:
    """The message of a rendered triplet; the subject is put on one line here."""
    message = Email(one_line_subject(subject), text, settings.DEFAULT_FROM_EMAIL, to, headers=headers or {})
    message.attach_alternative(html, "text/html")
    return message


def one_line_subject(subject: str) -> str:
    return SUBJECT_WHITESPACE.sub(" ", subject).strip()


def send_email(name: str, context: dict, language: str, to: list[str], headers: dict | None = None) -> None:
    render_email(name, context, language, to, headers).send()
