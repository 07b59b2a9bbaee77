"""Which column of a partner's file holds which field, guessed from the headings and corrected by staff.

A mapping is {field: heading}. Consent to an organisation is three fields
named after its slug: consent:<slug> (ticked or not), consent_text:<slug>
(the words the signer agreed to) and consent_at:<slug> (when).
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

FIELDS = {
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "email": _("Email address"),
    "country": _("Country"),
    "postcode": _("Postcode"),
    "signed_at": _("Signed at"),
    "language": _("Language"),
}
REQUIRED = ("first_name", "last_name", "country")
ALIASES = {
    "first_name": {"first name", "firstname", "given name", "first", "vorname", "prénom", "prenom"},
    "last_name": {"last name", "lastname", "surname", "family name", "last", "nachname", "nom"},
    "email": {"email", "e-mail", "email address", "mail", "e-mail address"},
    "country": {"country", "country code", "land", "pays"},
    "postcode": {"postcode", "postal code", "zip", "zip code", "plz", "code postal"},
    "signed_at": {"signed at", "signed", "date", "signed on", "created at", "timestamp"},
    "language": {"language", "lang", "locale"},
}
CONSENT_PARTS = ("consent", "consent_text", "consent_at")


def simplify(heading: str) -> str:
    return " ".join(heading.strip().lower().replace("_", " ").split())


def guess_mapping(headings: list[str], organisation_slugs: list[str]) -> dict[str, str]:
    guessed = {}
    simple = {simplify(heading): heading for heading in headings}
    for field, aliases in ALIASES.items():
        for alias in aliases:
            if alias in simple:
                guessed[field] = simple[alias]
                break
    for slug in organisation_slugs:
        for part in CONSENT_PARTS:
            wanted = simplify(f"{part}:{slug}")
            for heading in headings:
                if simplify(heading) in (wanted, wanted.replace(":", " ")):
                    guessed[f"{part}:{slug}"] = heading
    return guessed


def consent_slugs(mapping: dict[str, str]) -> list[str]:
    return sorted(field.split(":", 1)[1] for field in mapping if field.startswith("consent:"))


def mapping_problems(mapping: dict[str, str], headings: list[str], *, email_required: bool) -> list[str]:
    """What makes this mapping unusable with these headings; empty when it is fine."""
    problems = []
    required = REQUIRED + (("email",) if email_required else ())
    for field in required:
        if not mapping.get(field):
            problems.append(gettext("No column is mapped to the required field “%(field)s”.") % {"field": FIELDS[field]})
    for heading in mapping.values():
        if heading and heading not in headings:
            problems.append(gettext("The file has no column “%(heading)s”.") % {"heading": heading})
    for slug in consent_slugs(mapping):
        if not mapping.get(f"consent_text:{slug}"):
            problems.append(
                gettext("Consent to %(organisation)s needs a column with the text the signers agreed to.")
                    % {"organisation": slug}
            )
    return problems
