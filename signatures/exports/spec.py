"""What an export holds: its purpose, its filters, its columns, and the signatures that match.

Every text cell is made safe for spreadsheets in the SELECT itself (see
SpreadsheetSafe), so no path can forget it.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import CharField, Exists, F, Func, OuterRef, QuerySet

from ..models import Signature, SignatureExport, Suppression

EXPORTABLE_STATUSES = (Signature.Status.CONFIRMED, Signature.Status.PENDING)


class InvalidExport(ValueError):
    """The filters ask for something no export may contain."""


# The first characters SpreadsheetSafe's SQL catches: ascii() 61, 43, 45, 64, 9, 13.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class SpreadsheetSafe(Func):
    """A text column with a quote put before a leading = + - @ tab or carriage return.

    Spreadsheet programs run a cell that starts with one of these as a formula
    (OWASP, "CSV injection"); with the quote they show it as text. ascii()
    compares the first character as an integer, much cheaper over a million
    rows than left(). The column appears three times in the template, so it
    takes a plain column reference, never an expression with parameters.
    """

    template = (
        "(CASE WHEN ascii(%(expressions)s) IN (61, 43, 45, 64, 9, 13) "
        "THEN '''' || %(expressions)s ELSE %(expressions)s END)"
    )
    arity = 1
    output_field = CharField()

    def __init__(self, column: str):
        super().__init__(F(column))
        self.column = column

    @staticmethod
    def in_python(value: str | None) -> str | None:
        """The same rule, for databases without COPY (signatures.exports.portable)."""
        if value and value.startswith(FORMULA_STARTS):
            return "'" + value
        return value


class UtcTimestamp(Func):
    """2025-03-01 09:30:00: UTC to the second, a form every spreadsheet reads as a date."""

    template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
    arity = 1
    output_field = CharField()

    def __init__(self, column: str):
        super().__init__(F(column))
        self.column = column

    @staticmethod
    def in_python(value: datetime | None) -> str | None:
        """The same text, for databases without COPY (signatures.exports.portable)."""
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if value is not None else None


# Column headers are stable machine names, not translated: files from the
# admin and the command line must be identical whoever runs them, and the
# institutions that receive them read them with scripts as well as by eye.
COLUMNS = {
    SignatureExport.Purpose.VERIFIED: [
        ("first_name", SpreadsheetSafe("first_name")),
        ("last_name", SpreadsheetSafe("last_name")),
        ("country", SpreadsheetSafe("country")),
        ("postcode", SpreadsheetSafe("postcode")),
        ("confirmed_at_utc", UtcTimestamp("confirmed_at")),
        ("partner", SpreadsheetSafe("partner__name")),
    ],
    SignatureExport.Purpose.CONTACT: [
        ("first_name", SpreadsheetSafe("first_name")),
        ("last_name", SpreadsheetSafe("last_name")),
        ("email", SpreadsheetSafe("email")),
        ("country", SpreadsheetSafe("country")),
        ("language", SpreadsheetSafe("language")),
        ("consent_given_at_utc", UtcTimestamp("consents__given_at")),
    ],
}


@dataclass(frozen=True)
class ExportSpec:
    """What to export: a campaign, a purpose and the filters, as validated by ExportForm."""

    campaign_id: int
    purpose: str = SignatureExport.Purpose.VERIFIED
    statuses: tuple[str, ...] = (Signature.Status.CONFIRMED,)
    countries: tuple[str, ...] = ()
    partner_id: int | None = None
    confirmed_from: date | None = None
    confirmed_to: date | None = None
    consented_to_id: int | None = None
    include_bom: bool = False

    def __post_init__(self):
        # Checked here as well as in the form: these are the rules that keep
        # personal data in, whoever builds a spec.
        if self.purpose not in COLUMNS:
            raise InvalidExport(f"unknown purpose {self.purpose!r}")
        if not self.statuses or not set(self.statuses) <= set(EXPORTABLE_STATUSES):
            raise InvalidExport("only confirmed and pending signatures can be exported")
        if self.purpose == SignatureExport.Purpose.CONTACT:
            if self.consented_to_id is None:
                raise InvalidExport("a contact list is for one organisation the signers consented to")
            if tuple(self.statuses) != (Signature.Status.CONFIRMED,):
                raise InvalidExport("a contact list holds confirmed signatures only")
        if self.confirmed_from and self.confirmed_to and self.confirmed_from > self.confirmed_to:
            raise InvalidExport("the confirmation date range ends before it starts")

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(name for name, _ in COLUMNS[self.purpose])

    def filters_json(self) -> dict:
        return {
            "status": list(self.statuses),
            "country": list(self.countries),
            "partner_id": self.partner_id,
            "confirmed_from": self.confirmed_from.isoformat() if self.confirmed_from else None,
            "confirmed_to": self.confirmed_to.isoformat() if self.confirmed_to else None,
            "consented_to_id": self.consented_to_id,
        }

    @classmethod
    def from_record(cls, export: SignatureExport) -> "ExportSpec":
        filters = export.filters
        return cls(
            campaign_id=export.campaign_id,
            purpose=export.purpose,
            statuses=tuple(filters.get("status") or (Signature.Status.CONFIRMED,)),
            countries=tuple(filters.get("country") or ()),
            partner_id=filters.get("partner_id"),
            confirmed_from=date.fromisoformat(filters["confirmed_from"]) if filters.get("confirmed_from") else None,
            confirmed_to=date.fromisoformat(filters["confirmed_to"]) if filters.get("confirmed_to") else None,
            consented_to_id=filters.get("consented_to_id"),
            include_bom=export.include_bom,
        )


def start_of_day(day: date) -> datetime:
    """Date filters are UTC days, like the times in the files."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def matching_signatures(spec: ExportSpec, after_id: int = 0) -> QuerySet:
    """The signatures an export holds, from after_id on. Erased, withdrawn and rejected ones never do."""
    signatures = Signature.objects.filter(
        campaign_id=spec.campaign_id, status__in=spec.statuses, erased_at__isnull=True, pk__gt=after_id
    )
    if spec.countries:
        signatures = signatures.filter(country__in=spec.countries)
    if spec.partner_id is not None:
        signatures = signatures.filter(partner_id=spec.partner_id)
    if spec.confirmed_from:
        signatures = signatures.filter(confirmed_at__gte=start_of_day(spec.confirmed_from))
    if spec.confirmed_to:
        signatures = signatures.filter(confirmed_at__lt=start_of_day(spec.confirmed_to + timedelta(days=1)))
    if spec.consented_to_id is not None:
        # One filter() call, so the consent columns selected later come from this same join.
        # PostgreSQL does not carry "id > after_id" across the join by itself; without it
        # every chunk would scan the consents from the start.
        signatures = signatures.filter(
            consents__organisation_id=spec.consented_to_id,
            consents__withdrawn_at__isnull=True,
            consents__signature_id__gt=after_id,
        )
    if spec.purpose == SignatureExport.Purpose.CONTACT:
        # A contact list is for emailing, so it leaves out whom an update would leave out
        # (signatures.updates.audience): whoever stopped every email about the petition
        # (services.stop_emails leaves the consents in place), and an address that bounced
        # for good or whose owner marked our email as spam.
        signatures = signatures.filter(emails_stopped_at__isnull=True).exclude(
            Exists(Suppression.objects.filter(email_canonical=OuterRef("email_canonical")))
        )
    return signatures


def count_rows(spec: ExportSpec) -> int:
    return matching_signatures(spec).count()
