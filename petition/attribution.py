"""What a link into a public page carries for attribution (the partner's via, utm_source, utm_campaign), cleaned.

They come from whoever wrote the link, not from the signer, and the signer
cannot see or fix them: so they are cleaned rather than refused. Like the
names people type, the utm fields lose control and format characters
(newlines, tabs, bidirectional overrides, zero-width characters), are
normalised to NFC with their whitespace collapsed, and are cut to what the
column holds.

Nothing else in a public page's query string changes the page. Links arrive
with more (fbclid and gclid on every click from Facebook or an ad, cache
busters, whatever someone appends), so a page's own address (page_address)
keeps only these fields: the page cache keys on it, or every click would be
a miss, a render and a write; the page's 24 language links repeat it, or a
few kilobytes of query would come back as a page of hundreds.
"""

import unicodedata
from urllib.parse import urlencode

from django.utils.encoding import escape_uri_path

MAX_LENGTH = 100
VIA_MAX_LENGTH = 80  # an organisation's slug is at most this long (campaigns.selectors.referring_partner)
# Control and format characters (bidi overrides and zero-width ones are Cf),
# surrogates, private use, unassigned, and line and paragraph separators.
REMOVED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def clean_attribution(value: str) -> str:
    # split() breaks on every kind of whitespace, newlines and tabs among them,
    # so words they separated stay apart.
    words = unicodedata.normalize("NFC", value).split()
    kept = ("".join(ch for ch in word if unicodedata.category(ch) not in REMOVED_CATEGORIES) for word in words)
    return " ".join(word for word in kept if word)[:MAX_LENGTH].rstrip()


def link_attribution(query) -> dict[str, str]:
    """via, utm_source and utm_campaign from a query (a QueryDict), as a public page uses them."""
    return {
        "via": query.get("via", "")[:VIA_MAX_LENGTH],
        "utm_source": clean_attribution(query.get("utm_source", "")),
        "utm_campaign": clean_attribution(query.get("utm_campaign", "")),
    }


def page_address(request) -> str:
    """The request's path with only the attribution its query carries, always in the same order."""
    query = urlencode([(name, value) for name, value in link_attribution(request.GET).items() if value])
    path = escape_uri_path(request.path)
    return f"{path}?{query}" if query else path
