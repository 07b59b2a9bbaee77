"""Every log record loses addresses and link tokens, whoever logged it: Django, Celery, SMTP errors."""

import io
import logging
import smtplib

import pytest

from petition.logscrub import ScrubPersonalData, scrub

pytestmark = pytest.mark.unit

TOKEN = "Zq3h0AZ9b1xYlWq0b6Yq3S1kP0m3uTt0fJc8wq7sX0E"


@pytest.mark.parametrize(
    "text",
    [
        f"Internal Server Error: /de/s/confirm/12/{TOKEN}/",
        f"Not Found: /en/s/unsubscribe/7/{TOKEN}/3/",
        "Task signatures.tasks.x[abc] retry: SMTPRecipientsRefused({'jürgen.müller@bücher.de': (550, b'no such user')})",
        "(550, b'5.1.1 <Ada.Lovelace+petition@Example.org>: Recipient address rejected')",
        f"token={TOKEN}",
    ],
)
def test_it_takes_addresses_and_tokens_out_of_a_line(text):
    cleaned = scrub(text)
    assert TOKEN not in cleaned
    assert "@" not in cleaned.replace("[address]", "")


def test_it_scrubs_messages_arguments_and_exception_texts_before_any_handler_sees_them():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ScrubPersonalData())
    logger = logging.getLogger("tests.scrub")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.error("Internal Server Error: %s", f"/en/s/withdraw/5/{TOKEN}/")
        try:
            raise smtplib.SMTPRecipientsRefused({"grace@example.org": (550, b"no such user")})
        except smtplib.SMTPException:
            logger.exception("retrying for %(who)s", {"who": "grace@example.org"})
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert "SMTPRecipientsRefused" in text, "the exception is still logged"
    assert "/en/s/withdraw/5/[token]/" in text
    assert TOKEN not in text and "grace@example.org" not in text
