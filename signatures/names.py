"""Checks on what a signer types as a name."""

import re
import unicodedata

# Control, format (zero-width, bidirectional overrides), surrogate, private-use
# and unassigned code points, line and paragraph separators, and symbols
# (emoji among them) have no place in a person's name.
FORBIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "So", "Sk", "Sm"}
URL_PATTERN = re.compile(
    r"(https?:|ftp:|//|www\.|\b[\w-]+\.(com|net|org|info|biz|io|ru|cn|xyz|top|eu|de|fr|uk)\b)", re.IGNORECASE
)
EXTRA_FORBIDDEN = set("<>{}[]\\|@#$%^*_=~`")


def normalise_name(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).split())


def forbidden_characters(value: str) -> list[str]:
    return [ch for ch in value if unicodedata.category(ch) in FORBIDDEN_CATEGORIES or ch in EXTRA_FORBIDDEN]


def contains_url(value: str) -> bool:
    return URL_PATTERN.search(value) is not None


def has_letter(value: str) -> bool:
    return any(unicodedata.category(ch).startswith("L") for ch in value)
