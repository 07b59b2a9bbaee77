"""The partner API's JSON parser: what no signature could be is a 400, never a server error."""

import json

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# In English, as DRF's own "JSON parse error - ..." messages are.
TOO_DEEP = "JSON parse error - nested too deeply"
LONE_SURROGATE = "JSON parse error - a string holds half of a UTF-16 surrogate pair (\\ud800-\\udfff)"


class SignatureJSONParser(JSONParser):
    """DRF's JSON parser, also refusing what it lets through to crash later.

    JSON may escape half of a UTF-16 pair ("\\ud800"), which Python decodes to
    a string that cannot be written as UTF-8: hashing the body for
    Idempotency-Key, or saving the field, raised UnicodeEncodeError. And
    arrays nested some thousands deep exhaust the decoder's recursion
    (RecursionError, not the ValueError DRF catches). Both were HTTP 500s.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise ParseError(LONE_SURROGATE) from None
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        return data
