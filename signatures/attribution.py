"""The utm_source and utm_campaign a link carries, cleaned before they are shown back or stored.

They come from whoever wrote the link, not from the signer, and the signer
cannot see or fix them: so they are cleaned rather than refused. Like the
names people type, they lose control and format characters (newlines, tabs,
bidirectional overrides, zero-width characters), are normalised to NFC with
their whitespace collapsed, and are cut to what the column holds.
"""

import unicodedata

MAX_LENGTH = 100
# Control and format characters (bidi overrides and zero-width ones are Cf),
# surrogates, private use, unassigned, and line and paragraph separators.
REMOVED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def clean_attribution(value: str) -> str:
    # split() breaks on every kind of whitespace, newlines and tabs among them,
    # so words they separated stay apart.
    words = unicodedata.normalize("NFC", value).split()
    kept = ("".join(ch for ch in word if unicodedata.category(ch) not in REMOVED_CATEGORIES) for word in words)
    return " ".join(word for word in kept if word)[:MAX_LENGTH].rstrip()
