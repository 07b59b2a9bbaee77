"""A logging filter that takes personal data out of every record, whoever logged it.

Our own code logs ids and counts only, but other code does not: Django's
request logger names the path ("Internal Server Error: /en/s/confirm/12/<token>/"),
Celery logs a failed or retried task's exception text, and an SMTP refusal
quotes the recipient. Each record's message, arguments and exception text are
rewritten before any handler formats them: email addresses become
"[address]" and the token part of a personal link "[token]".
"""

import logging
import re
import traceback

ADDRESS = re.compile(r"[^\s<>()\[\],;:\"'@]+@[^\s<>()\[\],;:\"'@]+\.[^\s<>()\[\],;:\"'@]+")
# /s/confirm/<id>/<token>/, /s/withdraw/..., /s/unsubscribe/<id>/<token>/[<org>/]
LINK_TOKEN = re.compile(r"(/s/(?:confirm|withdraw|unsubscribe)/\d+/)[^/\s?#\"']+")
# Anything shaped like one of our tokens: 43 characters of URL-safe base64.
BARE_TOKEN = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])")


def scrub(text: str) -> str:
    text = LINK_TOKEN.sub(r"\1[token]", text)
    text = ADDRESS.sub("[address]", text)
    return BARE_TOKEN.sub("[token]", text)


def _scrub_value(value):
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, bytes):
        return scrub(value.decode("utf-8", "replace"))
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    return scrub(str(value))


class ScrubPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = scrub(record.msg)
        else:
            record.msg = _scrub_value(record.msg)
        if isinstance(record.args, dict):
            record.args = {key: _scrub_value(value) for key, value in record.args.items()}
        elif record.args:
            record.args = tuple(_scrub_value(value) for value in record.args)
        if record.exc_info and record.exc_info[1] is not None and not getattr(record, "exc_text", None):
            # The formatter prints exc_text when set; the scrubbed traceback is all it gets.
            record.exc_text = scrub("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
        elif getattr(record, "exc_text", None):
            record.exc_text = scrub(record.exc_text)
        return True


def install_everywhere() -> None:
    """Scrub at the source as well: records reach handlers we do not configure (a test's capture, Celery's own)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "scrubs", False):
        return
    scrubber = ScrubPersonalData()

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        scrubber.filter(record)
        return record

    factory.scrubs = True
    logging.setLogRecordFactory(factory)


def scrubbing_filter() -> ScrubPersonalData:
    """LOGGING's factory for the filter; it also makes every record scrubbed where it is made."""
    install_everywhere()
    return ScrubPersonalData()
