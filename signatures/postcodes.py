"""Postcode formats by country (ISO 3166-1 alpha-2), as data.

Each entry is a regular expression matched against the normalised postcode
(upper-case, single spaces) and an example shown to the signer as a hint.
Countries not listed get GENERAL_PATTERN and may leave the postcode empty.
"""

import re

POSTCODE_FORMATS: dict[str, tuple[str, str]] = {
    "AT": (r"\d{4}", "1010"),
    "BE": (r"\d{4}", "1000"),
    "BG": (r"\d{4}", "1000"),
    "HR": (r"\d{5}", "10000"),
    "CY": (r"\d{4}", "1010"),
    "CZ": (r"\d{3} ?\d{2}", "110 00"),
    "DK": (r"\d{4}", "1050"),
    "EE": (r"\d{5}", "10111"),
    "FI": (r"\d{5}", "00100"),
    "FR": (r"\d{5}", "75001"),
    "DE": (r"\d{5}", "10115"),
    "GR": (r"\d{3} ?\d{2}", "105 57"),
    "HU": (r"\d{4}", "1051"),
    "IE": (r"[AC-FHKNPRTV-Y]\d{2}|D6W ?[0-9AC-FHKNPRTV-Y]{4}|[AC-FHKNPRTV-Y]\d{2} ?[0-9AC-FHKNPRTV-Y]{4}", "D02 X285"),
    "IT": (r"\d{5}", "00184"),
    "LV": (r"(LV-)?\d{4}", "LV-1050"),
    "LT": (r"(LT-)?\d{5}", "LT-01100"),
    "LU": (r"(L-)?\d{4}", "1111"),
    "MT": (r"[A-Z]{3} ?\d{2,4}", "VLT 1117"),
    "NL": (r"\d{4} ?[A-Z]{2}", "1012 AB"),
    "PL": (r"\d{2}-\d{3}", "00-950"),
    "PT": (r"\d{4}-\d{3}", "1000-001"),
    "RO": (r"\d{6}", "010011"),
    "SK": (r"\d{3} ?\d{2}", "811 01"),
    "SI": (r"(SI-)?\d{4}", "1000"),
    "ES": (r"\d{5}", "28001"),
    "SE": (r"\d{3} ?\d{2}", "111 22"),
    "GB": (r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|GIR ?0AA", "SW1A 1AA"),
    "CH": (r"\d{4}", "3003"),
    "NO": (r"\d{4}", "0150"),
    "IS": (r"\d{3}", "101"),
    "LI": (r"94(8[5-9]|9[0-8])", "9490"),
}

MAX_LENGTH = 16
GENERAL_PATTERN = rf"[A-Z0-9][A-Z0-9 -]{{0,{MAX_LENGTH - 1}}}"

_compiled = {code: re.compile(pattern) for code, (pattern, _) in POSTCODE_FORMATS.items()}
_general = re.compile(GENERAL_PATTERN)


def normalise_postcode(value: str) -> str:
    return " ".join(value.upper().split())


def has_known_format(country: str) -> bool:
    return country in POSTCODE_FORMATS


def is_valid_postcode(country: str, postcode: str) -> bool:
    pattern = _compiled.get(country, _general)
    return pattern.fullmatch(postcode) is not None


def example_postcode(country: str) -> str | None:
    entry = POSTCODE_FORMATS.get(country)
    return entry[1] if entry else None
