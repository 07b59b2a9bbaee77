"""A logging filter for Django's security loggers: a client's bad request is one short warning line.

Django logs each SuspiciousOperation (a Host header not in ALLOWED_HOSTS, too
many form fields, a tampered session) at ERROR with its traceback and the
client's value in full, so one request of a few kilobytes writes a few
kilobytes of "errors" and anyone can flood the log and page whoever watches
errors. These are the client's mistakes, already answered 400. The line stays
(a wrong ALLOWED_HOSTS shows up there) as a WARNING without the traceback, cut
to MESSAGE_LIMIT characters.
"""

import logging

SECURITY_LOGGERS = "django.security."
MESSAGE_LIMIT = 200


class ClientMistakesAsWarnings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith(SECURITY_LOGGERS):
            message = record.getMessage()
            if len(message) > MESSAGE_LIMIT:
                message = message[:MESSAGE_LIMIT] + f"… ({len(message)} characters)"
            record.msg, record.args = message, None
            if record.levelno > logging.WARNING:
                record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
            record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True
