"""Characters that make a text read differently from what it holds: controls, bidirectional overrides, odd line breaks."""

import unicodedata

# Bidirectional overrides and isolates can make a line read differently from what it says.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Controls (NUL among them, which PostgreSQL cannot store), lone surrogates, line and paragraph separators.
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})


def invisible_characters(value: str, *, allow_newlines: bool) -> bool:
    """Whether the text holds any of them; allow_newlines lets line breaks and tabs through."""
    for ch in value:
        if allow_newlines and ch in "\n\r\t":
            continue
        if ch in BIDI_CONTROLS or unicodedata.category(ch) in INVISIBLE_CATEGORIES:
            return True
    return False
