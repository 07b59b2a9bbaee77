"""One row of a partner's file or a paper sheet, checked with the sign form's own rules.

What a row holds is stored as typed (after the form's normalisation) and
never evaluated: a formula payload in a name is just refused by the name
rules, and exports neutralise whatever text they write.
"""

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from django_countries import countries

from ..emailaddr import canonical_email
from ..forms import (
    validate_email_address,
    validate_person_name,
    validate_postcode_for_country,
    validate_postcode_length,
)
from ..invisible import invisible_characters
from .mapping import FIELDS

COUNTRY_CODES = frozenset(code for code, _ in countries)
LANGUAGE_CODES = frozenset(code for code, _ in settings.LANGUAGES)
# Partners write consent columns in their own language: "yes" and "no" in each
# of the 24 official languages (settings.LANGUAGES), with and without accents,
# besides the marks a spreadsheet or a paper sheet uses.
YES = frozenset(
    {"1", "y", "yes", "true", "x", "✓", "✔"}
    | {"да", "ano", "áno", "ja", "ναι", "sí", "si", "sì", "jah", "kyllä", "kylla", "oui", "tá", "sea"}
    | {"igen", "taip", "jā", "iva", "tak", "sim", "da"}
)
NO = frozenset(
    {"", "0", "n", "no", "false", "-"}
    | {"не", "ne", "nej", "nein", "όχι", "οχι", "ei", "non", "níl", "nil", "ní hea", "nem", "nē", "le"}
    | {"nee", "nie", "não", "nao", "nu"}
)


@dataclass
class CleanRow:
    first_name: str
    last_name: str
    email: str
    email_canonical: str
    country: str
    postcode: str
    language: str
    signed_at: datetime | None
    # (organisation id, text shown, given at) for each organisation consented to.
    consents: list = field(default_factory=list)


class RowError(Exception):
    """Why a row is refused: the field and the form's message, in the staff member's language."""

    def __init__(self, field_name: str, message: str):
        super().__init__(field_name)
        self.field_name = field_name
        self.message = message

    def __str__(self):
        label = FIELDS.get(self.field_name, self.field_name)
        return f"{label}: {self.message}"


def first_message(error: forms.ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def checked(field_name: str, rule, value):
    try:
        return rule(value)
    except forms.ValidationError as error:
        raise RowError(field_name, first_message(error)) from None


def parse_flag(field_name: str, value: str) -> bool:
    simple = unicodedata.normalize("NFC", value).strip().lower()
    if simple in YES:
        return True
    if simple in NO:
        return False
    raise RowError(field_name, gettext("Write yes or no (or 1 or 0)."))


def parse_moment(field_name: str, value: str, now: datetime) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    moment = parse_iso(value)
    if moment is None:
        raise RowError(field_name, gettext("Write the date as 2024-05-31 or 2024-05-31 14:30."))
    if moment > now + timedelta(minutes=5):
        raise RowError(field_name, gettext("This date is in the future."))
    return moment


# A partner's file repeats the same names, dates and postcodes many times over:
# checking each distinct value once keeps a million rows within minutes. Only
# successes are cached (a refusal raises), and the caches are bounded.
CACHE_SIZE = 1 << 15


@lru_cache(maxsize=CACHE_SIZE)
def parse_iso(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


@lru_cache(maxsize=CACHE_SIZE)
def cached_name(field_name: str, value: str) -> str:
    return checked(field_name, validate_person_name, value)


@lru_cache(maxsize=CACHE_SIZE)
def cached_postcode(country: str, value: str) -> str:
    postcode = checked("postcode", validate_postcode_length, value)
    checked("postcode", lambda normalised: validate_postcode_for_country(country, normalised), postcode)
    return postcode


@lru_cache(maxsize=CACHE_SIZE)  # a file repeats its consent texts on every row
def hidden_characters(value: str) -> bool:
    return invisible_characters(value, allow_newlines=True)


def clean_country(value: str) -> str:
    code = value.strip().upper()
    if code not in COUNTRY_CODES:
        raise RowError("country", gettext("Use a two-letter country code such as DE or FR."))
    return code


def clean_row(
    values: dict[str, str],
    *,
    email_required: bool,
    default_language: str,
    consent_organisations: dict[str, int],
    now: datetime,
) -> CleanRow:
    """Check one row given as {field: text}; raises RowError with the first problem found."""
    for required in ("first_name", "last_name", "country"):
        if not values.get(required, "").strip():
            raise RowError(required, gettext("This field is required."))
    first_name = cached_name("first_name", values["first_name"])
    last_name = cached_name("last_name", values["last_name"])
    email = values.get("email", "").strip()
    if email:
        email = checked("email", validate_email_address, email)
    elif email_required:
        raise RowError("email", gettext("Please enter your email address."))
    country = clean_country(values.get("country", ""))
    postcode = cached_postcode(country, values.get("postcode", ""))
    language = values.get("language", "").strip().lower() or default_language
    if language not in LANGUAGE_CODES:
        raise RowError("language", gettext("Use a language code such as de or fr."))
    signed_at = parse_moment("signed_at", values.get("signed_at", ""), now)
    consents = []
    for slug, organisation_id in consent_organisations.items():
        if not parse_flag(f"consent:{slug}", values.get(f"consent:{slug}", "")):
            continue
        text = values.get(f"consent_text:{slug}", "").strip()
        if not text:
            raise RowError(f"consent_text:{slug}", gettext("A consent needs the text the signer agreed to."))
        if hidden_characters(text):
            raise RowError(
                f"consent_text:{slug}",
                gettext("The consent text holds control or direction-changing characters; remove them."),
            )
        given_at = parse_moment(f"consent_at:{slug}", values.get(f"consent_at:{slug}", ""), now) or signed_at
        consents.append((organisation_id, text[:2000], given_at))
    return CleanRow(
        first_name=first_name,
        last_name=last_name,
        email=email,
        email_canonical=canonical_email(email) if email else "",
        country=country,
        postcode=postcode,
        language=language,
        signed_at=signed_at,
        consents=consents,
    )
