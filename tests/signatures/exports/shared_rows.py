"""The same signatures, byte for byte, in whichever database is configured: for comparing the COPY and ORM paths.

Used in-process against PostgreSQL and by sqlite_export.py in a subprocess on
the embedded SQLite, so both exports read identical rows.
"""

from datetime import UTC, datetime

from campaigns.models import Campaign, Organisation
from signatures.models import Consent, Signature

CAMPAIGN_SLUG = "same-rows"
CONTACT_SLUG = "same-rows-contact"

# (first name, last name, email, country, postcode, status, confirmed at, partner?, consent?)
# Formulas, quotes, commas, line breaks, empty texts, missing values, accents, CJK and emoji.
ROWS = [
    ("Marie", "Curie", "marie@example.org", "FR", "75005", "confirmed", (2025, 3, 1, 9, 30, 15, 999999), True, True),
    ('=HYPERLINK("http://x.example","a,b")', "O'Brien, Jr.", "=cmd@example.org", "IE", "D02 X285", "confirmed",
     (2025, 3, 1, 23, 59, 59, 0), False, True),
    ("+41 cmd", "-2+3", "+tag@example.org", "DE", "", "confirmed", (2025, 1, 31, 0, 0, 0, 1), True, False),
    ("@SUM(1,2)", "\t=cmd|' /C calc'!A0", "tab@example.org", "AT", "1010", "pending", None, False, False),
    ("\r=cmd", "line\nbreak", "cr@example.org", "PL", "00-950", "confirmed", (2024, 12, 31, 12, 0, 0, 0), True, True),
    ('"', '""quoted""', "quote@example.org", "NL", "1012 AB", "confirmed", (2025, 6, 15, 6, 7, 8, 0), False, True),
    ("Zoë", "李", "zoe@example.org", "SE", "", "pending", None, True, False),
    ("Ada 🚀", "Lovelace", "ada@example.org", "GR", "105 57", "confirmed", (2025, 2, 28, 18, 45, 0, 0), False, True),
    ("Withdrawn", "Consent", "gone@example.org", "IT", "00184", "confirmed", (2025, 4, 1, 8, 0, 0, 0), False, True),
]  # fmt: skip
CONSENT_GIVEN = datetime(2025, 3, 2, 10, 11, 12, 131415, tzinfo=UTC)


def make_rows() -> tuple[Campaign, Organisation]:
    """The campaign, its partner (with a name that is a formula) and the signatures above; returns (campaign, org)."""
    partner = Organisation.objects.create(name='=Partner, "the first"', slug="same-rows-partner")
    campaign = Campaign.objects.create(slug=CAMPAIGN_SLUG, title="Same rows", status=Campaign.Status.OPEN)
    for first, last, email, country, postcode, status, confirmed, credited, consented in ROWS:
        signature = Signature.objects.create(
            campaign=campaign,
            first_name=first,
            last_name=last,
            email=email,
            email_canonical=email,
            country=country,
            postcode=postcode,
            status=status,
            confirmed_at=datetime(*confirmed, tzinfo=UTC) if confirmed else None,
            partner=partner if credited else None,
        )
        if consented:
            consent = Consent.objects.create(signature=signature, organisation=partner, text_shown="May email me.")
            withdrawn = CONSENT_GIVEN if first == "Withdrawn" else None
            Consent.objects.filter(pk=consent.pk).update(given_at=CONSENT_GIVEN, withdrawn_at=withdrawn)
    return campaign, partner
