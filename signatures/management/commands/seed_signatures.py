"""Fill a campaign with realistic synthetic signatures, fast, to try the admin and exports at full size.

Rows go in with PostgreSQL COPY in batches: a million take a few minutes.
Addresses use reserved .example domains, so nothing can ever be mailed to them.
Confirmed rows are written as already counted, then the counts are reconciled.
"""

import hashlib
import io
import random
import time
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from campaigns.models import Campaign
from signatures.fold import reconcile_counts
from signatures.forms import lead_consent_text, partner_consent_text
from signatures.models import Signature, new_link_salt
from signatures.postcodes import POSTCODE_FORMATS

# Roughly the member states' populations, in millions.
COUNTRY_WEIGHTS = {
    "DE": 84, "FR": 68, "IT": 59, "ES": 48, "PL": 37, "RO": 19, "NL": 18, "BE": 12, "CZ": 11, "GR": 10,
    "PT": 10, "SE": 10, "HU": 10, "AT": 9, "BG": 6, "DK": 6, "FI": 5.5, "SK": 5.4, "IE": 5.2, "HR": 3.9,
    "LT": 2.8, "SI": 2.1, "LV": 1.9, "EE": 1.3, "CY": 0.9, "LU": 0.7, "MT": 0.5,
}  # fmt: skip
LANGUAGE = {
    "DE": "de", "AT": "de", "FR": "fr", "BE": "fr", "LU": "fr", "IT": "it", "ES": "es", "PL": "pl", "RO": "ro",
    "NL": "nl", "CZ": "cs", "GR": "el", "CY": "el", "PT": "pt", "SE": "sv", "HU": "hu", "BG": "bg", "DK": "da",
    "FI": "fi", "SK": "sk", "IE": "en", "HR": "hr", "LT": "lt", "SI": "sl", "LV": "lv", "EE": "et", "MT": "mt",
}  # fmt: skip
NAMES = {
    "DE": (["Anna", "Lena", "Jonas", "Lukas", "Marie", "Felix", "Sophie", "Paul"],
           ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker"]),
    "FR": (["Camille", "Léa", "Hugo", "Louis", "Chloé", "Lucas", "Manon", "Jules"],
           ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand"]),
    "IT": (["Giulia", "Francesco", "Sofia", "Alessandro", "Aurora", "Lorenzo", "Chiara", "Matteo"],
           ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci"]),
    "ES": (["Lucía", "Hugo", "Martina", "Daniel", "María", "Pablo", "Paula", "Álvaro"],
           ["García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez"]),
    "PL": (["Zuzanna", "Jakub", "Julia", "Antoni", "Maja", "Jan", "Zofia", "Szymon"],
           ["Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński", "Szymański"]),
    "NL": (["Emma", "Noah", "Julia", "Daan", "Mila", "Sem", "Tess", "Lucas"],
           ["de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Visser", "Smit"]),
    "RO": (["Maria", "Andrei", "Elena", "Alexandru", "Ioana", "David", "Ana", "Gabriel"],
           ["Popescu", "Ionescu", "Popa", "Dumitru", "Stan", "Stoica", "Gheorghe", "Matei"]),
    "SE": (["Alice", "William", "Maja", "Liam", "Elsa", "Hugo", "Astrid", "Oscar"],
           ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson"]),
}  # fmt: skip
OTHER_NAMES = (
    ["Eva", "Peter", "Katarina", "Tomas", "Ana", "Marko", "Laura", "Mikael", "Nora", "Jan", "Sara", "Luka"],
    ["Novák", "Horváth", "Nielsen", "Papadopoulos", "Silva", "Murphy", "Kovač", "Jensen", "Virtanen", "Berzins",
     "Kazlauskas", "Tamm", "Borg", "Georgiou", "Santos", "Kelly"],
)  # fmt: skip
DOMAINS = {
    "webmail.example": 30, "posteo.example": 8, "gmx.example": 15, "orange.example": 8, "libero.example": 6,
    "wp.example": 6, "seznam.example": 4, "telia.example": 4, "proton.example": 7, "outlook.example": 12,
}  # fmt: skip
SOURCES = ["newsletter", "facebook", "mastodon", "twitter", "instagram", "press", "website"]
# A small burst of suspicious signatures (one domain, three addresses, one
# hour), so the fraud view and bulk invalidation have something to find.
BURST_SHARE = 0.003
BURST_DOMAIN = "burst-mail.example"
STATUS_WEIGHTS = {"confirmed": 78, "pending": 17, "withdrawn": 3, "rejected": 2}
BATCH = 20_000


def ascii_slug(value: str) -> str:
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return "".join(char for char in folded.lower() if char.isalnum())


def random_postcode(rng: random.Random, country: str) -> str:
    """The country's example postcode with its digits shuffled: the right shape, rarely a real place."""
    if country not in POSTCODE_FORMATS:
        return ""
    example = POSTCODE_FORMATS[country][1]
    return "".join(str(rng.randrange(10)) if char.isdigit() else char for char in example)


def copy_value(value) -> str:
    """A value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class Command(BaseCommand):
    help = "Fill a campaign with COUNT realistic synthetic signatures using PostgreSQL COPY, then reconcile counts."

    def add_arguments(self, parser):
        parser.add_argument("campaign", help="slug of the campaign")
        parser.add_argument("--count", type=int, default=10_000, help="how many signatures (default 10,000)")
        parser.add_argument("--days", type=int, default=90, help="spread over this many days up to now (default 90)")
        parser.add_argument("--seed", type=int, default=None, help="random seed, for repeatable data")

    def handle(self, *args, campaign: str, count: int, days: int, seed: int | None, **options):
        if connection.vendor != "postgresql":
            raise CommandError("seed_signatures needs PostgreSQL (it uses COPY); set DATABASE_URL.")
        if count < 1 or days < 1:
            raise CommandError("--count and --days must be at least 1.")
        target = Campaign.objects.filter(slug=campaign).select_related("lead_organisation").first()
        if target is None:
            raise CommandError(f"No campaign with the slug {campaign!r}.")
        started = time.monotonic()
        first_id = (Signature.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        rows = self.rows(target, count, days, random.Random(seed), first_id)
        columns = self.columns()
        written = 0
        while written < count:
            batch = io.StringIO()
            for row in self.take(rows, min(BATCH, count - written)):
                batch.write("\t".join(copy_value(row[column]) for column in columns) + "\n")
                written += 1
            batch.seek(0)
            with transaction.atomic():
                self.copy(batch, columns)
            self.stdout.write(f"  {written:,} / {count:,}", ending="\r")
            self.stdout.flush()
        self.stdout.write("")
        consents = self.add_consents(target, first_id)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE signatures_signature")
        reconcile_counts(target.pk)
        target.refresh_from_db()
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {count:,} signatures into {target.slug} in {time.monotonic() - started:.0f} s "
                f"({consents:,} consents); its count is now {target.signature_count:,}."
            )
        )

    @staticmethod
    def take(rows, n):
        for _ in range(n):
            yield next(rows)

    @staticmethod
    def columns() -> list[str]:
        """Every stored column but the id and the ones the database computes."""
        return [
            field.column
            for field in Signature._meta.concrete_fields
            if not field.primary_key and not getattr(field, "generated", False)
        ]

    @staticmethod
    def copy(batch: io.StringIO, columns: list[str]) -> None:
        sql = f"COPY signatures_signature ({', '.join(columns)}) FROM STDIN"
        with connection.cursor() as cursor:
            raw = cursor.cursor
            if hasattr(raw, "copy_expert"):  # psycopg2
                raw.copy_expert(sql, batch)
            else:  # psycopg 3
                with raw.copy(sql) as copy:
                    copy.write(batch.getvalue())

    def rows(self, campaign: Campaign, count: int, days: int, rng: random.Random, first_id: int):
        """Signatures in the order they were made, busier towards the end as a campaign catches on."""
        now = timezone.now()
        span = timedelta(days=days)
        start = now - span
        partners = list(campaign.partners.values_list("pk", flat=True))
        countries = list(COUNTRY_WEIGHTS)
        country_weights = list(COUNTRY_WEIGHTS.values())
        domains = list(DOMAINS)
        domain_weights = list(DOMAINS.values())
        statuses = list(STATUS_WEIGHTS)
        status_weights = list(STATUS_WEIGHTS.values())
        ip_pool = max(count // 3, 1)
        reminder_after = timedelta(hours=settings.REMINDER_AFTER_HOURS)
        burst_start = start + span * 0.8
        # Columns this command does not know about (added later) get their model default.
        defaults = {
            field.column: field.get_default()
            for field in Signature._meta.concrete_fields
            if not field.primary_key and not getattr(field, "generated", False)
        }
        for index in range(count):
            number = first_id + index
            created = start + span * ((index + rng.random()) / count) ** 0.6
            burst = rng.random() < BURST_SHARE
            country = rng.choices(countries, country_weights)[0]
            first_names, last_names = NAMES.get(country, OTHER_NAMES)
            first, last = rng.choice(first_names), rng.choice(last_names)
            if burst:
                created = burst_start + timedelta(seconds=rng.randrange(3600))
                domain = BURST_DOMAIN
                ip_hash = hashlib.sha256(f"burst-{rng.randrange(3)}".encode()).hexdigest()
            else:
                domain = rng.choices(domains, domain_weights)[0]
                ip_hash = hashlib.sha256(f"seed-{rng.randrange(ip_pool)}".encode()).hexdigest()
            email = f"{ascii_slug(first)}.{ascii_slug(last)}{number}@{domain}"
            status = rng.choices(statuses, status_weights)[0]
            confirmed_at = None
            if status in ("confirmed", "withdrawn") or (status == "rejected" and rng.random() < 0.5):
                confirmed_at = min(created + timedelta(minutes=rng.expovariate(1 / 90)), now)
            partner = rng.choice(partners) if partners and rng.random() < 0.35 else None
            source = rng.choice(SOURCES) if partner or rng.random() < 0.2 else ""
            row = {
                **defaults,
                "campaign_id": campaign.pk,
                "first_name": first,
                "last_name": last,
                "email": email,
                "email_canonical": email,
                "country": country,
                "postcode": random_postcode(rng, country),
                "language": LANGUAGE.get(country, "en"),
                "status": status,
                "contact_consent": rng.random() < 0.4,
                "partner_id": partner,
                "utm_source": source,
                "utm_campaign": campaign.slug[:100] if source else "",
                "ip_hash": ip_hash,
                "link_salt": new_link_salt(),
                "legacy_token_hash": "",
                "emails_stopped_at": None,
                "undeliverable_at": None,
                "duplicate_of_id": None,
                "created_at": created,
                "confirmed_at": confirmed_at,
                "withdrawn_at": None,
                "rejected_at": None,
                "rejection_reason": "",
                "erased_at": None,
                "email_due": "",
                "email_requested_at": created,
                "email_claimed_at": None,
                "confirmation_sent_at": created + timedelta(seconds=20),
                "emails_sent": 1,
                "send_failed_at": None,
                "reminder_sent_at": None,
                "is_counted": status == "confirmed",
                "invalidation_id": None,
            }
            # Whoever had not confirmed REMINDER_AFTER_HOURS after the link went out got
            # their one reminder then; otherwise a running stack would owe reminders to
            # every old pending row at once (some 160,000 for a million).
            reminder_due = row["confirmation_sent_at"] + reminder_after
            if reminder_due <= now and (confirmed_at is None or confirmed_at > reminder_due):
                row.update(reminder_sent_at=reminder_due, emails_sent=2)
            if status == "rejected":
                row["rejected_at"] = now
                row["rejection_reason"] = rng.choice(["spam", "fraud: repeated signatures from one address"])
            elif status == "withdrawn":
                withdrawn = min(created + timedelta(days=rng.random() * 5), now)
                row.update(
                    withdrawn_at=withdrawn, erased_at=withdrawn, first_name="", last_name="", email="",
                    email_canonical="", postcode="", ip_hash="", utm_source="", utm_campaign="",
                    contact_consent=False,
                )  # fmt: skip
            yield row

    @staticmethod
    def add_consents(campaign: Campaign, first_id: int) -> int:
        """Consent rows as the sign form makes them: to the lead for contact_consent, to the partner for some.

        Only seeded rows (reserved .example domains) get them, even if people sign meanwhile.
        """
        added = 0
        with connection.cursor() as cursor:
            if campaign.lead_organisation:
                cursor.execute(
                    "INSERT INTO signatures_consent (signature_id, organisation_id, text_shown, given_at) "
                    "SELECT id, %s, %s, created_at FROM signatures_signature "
                    "WHERE campaign_id = %s AND id >= %s AND email_domain LIKE '%%.example' AND contact_consent",
                    [campaign.lead_organisation_id, lead_consent_text(campaign.lead_organisation), campaign.pk,
                     first_id],
                )  # fmt: skip
                added += cursor.rowcount
            for partner in campaign.partners.exclude(pk=campaign.lead_organisation_id):
                cursor.execute(
                    "INSERT INTO signatures_consent (signature_id, organisation_id, text_shown, given_at) "
                    "SELECT id, %s, %s, created_at FROM signatures_signature "
                    "WHERE campaign_id = %s AND id >= %s AND email_domain LIKE '%%.example' AND partner_id = %s "
                    "AND erased_at IS NULL AND id %% 3 = 0",
                    [partner.pk, partner_consent_text(partner), campaign.pk, first_id, partner.pk],
                )
                added += cursor.rowcount
        return added
