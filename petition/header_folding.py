"""How every email header we write is folded: as Python's compat32 (Django's policy), but for one-token headers.

Django's messages and the bytes petition.emails and petition.mime write for
SMTP all go through these policies, so a header comes out the same whichever
way its message was built.
"""

import functools
import re
from email._policybase import Compat32
from email.header import Header

# Headers whose value is one long token (a URL, a message id named after a long
# domain): folding can only put it on a continuation line of its own, which
# parsers then read with a leading space.
UNFOLDED_HEADERS = {"list-unsubscribe", "list-unsubscribe-post", "message-id"}


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
WIRE_POLICY = LINK_HEADERS_POLICY.clone(linesep="\r\n")


@functools.lru_cache(maxsize=256)
def encoded_subject(subject: str) -> bytes:
    """A non-ASCII subject encoded starting on the Subject line itself (petition.emails.Email says why)."""
    return WIRE_POLICY.fold_binary("Subject", Header(subject, "utf-8", header_name="Subject"))
