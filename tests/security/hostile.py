"""Hypothesis strategies for what an attacker or a broken client sends."""

from hypothesis import strategies as st

# Every code point UTF-8 can carry (no lone surrogates), control characters included.
any_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=300)

nasty_samples = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "Ada\x00Lovelace",
        "\u202eevil\u202c",  # right-to-left override
        "\u200f\u200e\u2066\u2069",  # direction marks and isolates
        "\ufeff",
        "\r\n\t\x0b\x0c\x1b[31m",
        "\u0000\u0001\u001f\u007f\u0085",
        "<script>alert(1)</script>",
        "' OR '1'='1' --",
        "=HYPERLINK(\"http://x\")",
        "%00%2e%2e%2f",
        "../../etc/passwd",
        "𝔄𝔡𝔞 👩‍💻 ﷽",
        "a@b",
        "a" * 5000,
        "@" * 300 + ".org",
        "x@" + "a" * 250 + ".org",
    ]
)

long_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=300, max_size=3000)

hostile_text = st.one_of(any_text, nasty_samples, long_text)
