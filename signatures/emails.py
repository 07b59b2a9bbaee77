"""Render and send one email from a template triplet.

emails/<name>-subject.txt, emails/<name>-body.txt and emails/<name>-body.html,
rendered in the signer's language.
"""

import re

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def send(name: str, to: str, context: dict, language: str, headers: dict | None = None) -> None:
    with translation.override(language):
        # One line, but keep no-break spaces: French puts one before a colon.
        subject = re.sub(r"[ \t\r\n]+", " ", render_to_string(f"emails/{name}-subject.txt", context)).strip()
        text = render_to_string(f"emails/{name}-body.txt", context)
        html = render_to_string(f"emails/{name}-body.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to], headers=headers or {})
    message.attach_alternative(html, "text/html")
    message.send()
