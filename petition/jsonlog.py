"""One JSON object per log line, for log pipelines (LOG_FORMAT=json).

Only named fields are written, never a record's extra attributes: Django
attaches the whole request to some records, and a request carries addresses,
cookies and the link tokens in its path. An exception is written as its class
and its stack, without its message: messages of database and mail errors can
quote the values that failed (an email address in a unique-constraint error).
"""

import json
import logging
import traceback
from datetime import UTC, datetime


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        if record.exc_info and record.exc_info[0] is not None:
            exc_type, _, exc_traceback = record.exc_info
            module = "" if exc_type.__module__ == "builtins" else exc_type.__module__ + "."
            entry["exception"] = module + exc_type.__qualname__
            entry["stack"] = "".join(traceback.format_tb(exc_traceback))
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False)
