"""Render and send one email from a template triplet, in the recipient's language.

emails/<name>-subject.txt, emails/<name>-body.txt and emails/<name>-body.html.
Every email the platform sends (to signers and to staff) is built here, so
they all look and fold the same way.
"""

import re

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

# One line, but keep no-break spaces: French puts one before a colon.
SUBJECT_WHITESPACE = re.compile(r"[ \t\r\n]+")


def render_email(
    name: str, context: dict, language: str, to: list[str], headers: dict | None = None
) -> EmailMultiAlternatives:
    with translation.override(language):
        subject = SUBJECT_WHITESPACE.sub(" ", render_to_string(f"emails/{name}-subject.txt", context)).strip()
        text = render_to_string(f"emails/{name}-body.txt", context)
        html = render_to_string(f"emails/{name}-body.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to, headers=headers or {})
    message.attach_alternative(html, "text/html")
    return message


def send_email(name: str, context: dict, language: str, to: list[str], headers: dict | None = None) -> None:
    render_email(name, context, language, to, headers).send()
