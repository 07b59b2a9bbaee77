import functools
import secrets

from django.conf import settings
from django.db import connection, models
from django.db.models import F, Q, Value
from django.db.models.functions import StrIndex, Substr
from django.db.models.sql import Query
from django.utils.translation import gettext_lazy as _

from campaigns.models import ApiKey, Campaign, Organisation, Update

from .emailaddr import UndeliverableAddress, canonical_email, email_domain


def new_token() -> str:
    """The old all-purpose link token; migration 0001 names it as the default of the column it had."""
    return secrets.token_urlsafe(32)


def new_link_salt() -> str:
    """Per-row randomness mixed into every link token, so tokens can be re-issued by changing it."""
    return secrets.token_hex(16)


class SignatureQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=Signature.Status.CONFIRMED)

    def pending(self):
        return self.filter(status=Signature.Status.PENDING)

    def with_email_due(self):
        return self.exclude(email_due="")

    def search(self, term: str):
        """The admin's search, on indexed columns only.

        An address finds every signature with the same canonical address;
        a number finds that signature; words find last names starting with
        them, or first name then last name ("ada love").
        """
        term = " ".join(term.split())
        if not term:
            return self
        if "@" in term:
            try:
                return self.filter(email_canonical=canonical_email(term))
            except UndeliverableAddress:
                return self.none()
        if term.isdigit():
            return self.filter(pk=int(term)) if len(term) < 19 else self.none()
        words = term.split(" ")
        condition = Q(last_name__istartswith=term)
        if len(words) > 1:
            condition |= Q(first_name__istartswith=words[0], last_name__istartswith=" ".join(words[1:]))
        return self.filter(condition)

    def matching(self, *, email_domain="", ip_hash="", signed_after=None, signed_before=None, country="", partner=None):
        """Signatures meeting every condition given; those left empty do not narrow."""
        matches = self
        if email_domain:
            matches = matches.filter(email_domain=normalise_domain(email_domain))
        if ip_hash:
            matches = matches.filter(ip_hash=ip_hash.strip().lower())
        if signed_after:
            matches = matches.filter(created_at__gte=signed_after)
        if signed_before:
            matches = matches.filter(created_at__lt=signed_before)
        if country:
            matches = matches.filter(country=country.upper())
        if partner:
            matches = matches.filter(partner=partner)
        return matches


def normalise_domain(value: str) -> str:
    return email_domain("@" + value.strip().lstrip("@"))


# The unique index on (campaign, canonical email); ON CONFLICT names it (one_signature_per_address_target).
ONE_SIGNATURE_PER_ADDRESS = "one_signature_per_email_per_campaign"


class Signature(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Email(models.TextChoices):
        """Which email the outbox owes this signer; empty when none is due."""

        # Translators: the state of a signature to which no email is owed.
        NONE = "", _("None")
        CONFIRM = "confirm", _("Confirmation link")
        ALREADY_SIGNED = "already_signed", _("Already signed")
        REMINDER = "reminder", _("Reminder")

    class Source(models.TextChoices):
        ONLINE = "online", _("Online form")
        PAPER = "paper", _("Paper sheet")
        IMPORT = "import", _("Partner's list")
        API = "api", _("Partner API")

    # Not indexed on its own: the indexes that lead with the campaign serve
    # every lookup by campaign (see Meta.indexes).
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="signatures", db_index=False)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.CharField(max_length=254, help_text=_("As typed."))
    email_canonical = models.CharField(
        max_length=254, help_text=_("Lower-cased, +tag stripped, gmail dots removed.")
    )
    country = models.CharField(max_length=2)
    postcode = models.CharField(max_length=16, blank=True)
    language = models.CharField(max_length=8, default="en")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    contact_consent = models.BooleanField(default=False, help_text=_("Agreed to hear about this campaign."))
    partner = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referred_signatures",
        db_index=False,
    )
    utm_source = models.CharField(max_length=100, blank=True)
    utm_campaign = models.CharField(max_length=100, blank=True)
    ip_hash = models.CharField(max_length=64, blank=True, help_text=_("Keyed hash of the client address."))
    # Computed by the database from the canonical address (and so emptied by
    # erasure), for the fraud view and bulk invalidation by domain.
    email_domain = models.GeneratedField(
        expression=Substr(F("email_canonical"), StrIndex(F("email_canonical"), Value("@")) + 1),
        output_field=models.CharField(max_length=254),
        db_persist=True,
    )
    invalidation = models.ForeignKey(
        "BulkInvalidation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="signatures",
        db_index=False,
        help_text=_("The bulk invalidation that rejected this signature."),
    )
    # Link tokens are derived per purpose with HMAC from EMAIL_LINK_KEY and this
    # salt (signatures.links); none is stored. legacy_token_hash is the keyed
    # hash of the one all-purpose token rows had before, so links already in
    # inboxes keep working until they expire.
    link_salt = models.CharField(max_length=32, default=new_link_salt, editable=False)
    legacy_token_hash = models.CharField(max_length=64, blank=True, editable=False)
    # "Unsubscribe from everything": no organisation updates, no reminders.
    emails_stopped_at = models.DateTimeField(null=True, blank=True)
    # The confirmation could not be delivered (hard bounce, 5xx, suppressed address).
    undeliverable_at = models.DateTimeField(null=True, blank=True)
    # Another row of the same campaign has the same mailbox (found when the
    # canonical form of domains changed); kept for moderators, never counted.
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )

    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.CharField(max_length=200, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    # The row is its own outbox: email_due says what is owed, email_claimed_at
    # marks a worker sending it right now.
    email_due = models.CharField(max_length=20, choices=Email.choices, blank=True, default=Email.NONE)
    email_requested_at = models.DateTimeField(null=True, blank=True)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    emails_sent = models.PositiveSmallIntegerField(default=0)
    send_failed_at = models.DateTimeField(null=True, blank=True)
    # Temporary failures so far, and when the next try may be made.
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_not_before = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    # Whether this signature is in the campaign's folded counts right now.
    is_counted = models.BooleanField(default=False)

    # Where the signature came from. Paper signatures are verified by the
    # staff member who typed them (entered_by, from sheet_reference);
    # imported ones may be vouched for by the partner that sent the list.
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ONLINE)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    sheet_reference = models.CharField(max_length=100, blank=True)
    vouched_by = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        help_text=_("The partner that declared this signer confirmed by double opt-in."),
    )
    import_job = models.ForeignKey(
        "ImportJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="signatures", db_index=False
    )

    objects = SignatureQuerySet.as_manager()

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        permissions = [
            ("export_signatures", "Can export signature lists"),
            ("moderate_signatures", "Can reject, restore, erase and resend signatures"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "email_canonical"],
                # Rows found to share a mailbox with an earlier one are kept for
                # moderators (rejected, duplicate_of set) outside the constraint.
                condition=~Q(email_canonical="") & Q(duplicate_of__isnull=True),
                name=ONE_SIGNATURE_PER_ADDRESS,
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "confirmed", "rejected", "withdrawn"]),
                name="signature_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(email_due__in=["", "confirm", "already_signed", "reminder"]),
                name="signature_email_due_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
                name="confirmed_signature_has_confirmed_at",
            ),
            models.CheckConstraint(
                condition=Q(source__in=["online", "paper", "import", "api"]), name="signature_source_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "status", "created_at"], name="sig_campaign_status_created"),
            models.Index(fields=["email_canonical"], name="sig_email_canonical"),
            # The outbox sweep looks only at rows that owe an email.
            models.Index(fields=["email_requested_at"], condition=~Q(email_due=""), name="sig_email_due"),
            # The count fold looks only at rows whose counted state is stale.
            models.Index(
                fields=["campaign"], condition=Q(status="confirmed", is_counted=False), name="sig_to_count"
            ),
            models.Index(
                fields=["campaign"], condition=Q(is_counted=True) & ~Q(status="confirmed"), name="sig_to_uncount"
            ),
            # The admin lists newest first (ORDER BY id DESC LIMIT 100); with
            # (column, id) an equality filter on status or country reads just
            # its page however rare the value, and counts stay index-only.
            models.Index(fields=["status", "id"], name="sig_status_id"),
            models.Index(fields=["country", "id"], name="sig_country_id"),
            models.Index(fields=["confirmed_at"], name="sig_confirmed_at"),
            # Fraud view, "signed within" filter, bulk invalidation: by time,
            # by domain and by address hash, with or without a campaign.
            models.Index(fields=["created_at"], name="sig_created_at"),
            models.Index(fields=["email_domain", "campaign"], name="sig_email_domain"),
            models.Index(fields=["ip_hash", "campaign"], name="sig_ip_hash"),
            # Only rows still holding an address hash, which are recent: the
            # hourly retention.forget_address_hashes finds the old ones at once.
            models.Index(fields=["created_at"], condition=~Q(ip_hash=""), name="sig_ip_hash_to_forget"),
            models.Index(fields=["invalidation"], condition=Q(invalidation__isnull=False), name="sig_invalidation"),
            # Most signers came by no partner, and were neither typed in nor
            # vouched for: these lookups by organisation or staff member index
            # only the rows that name one, so signing and confirming (each a
            # write to every index) do not add an entry for the rest.
            models.Index(fields=["partner"], condition=Q(partner__isnull=False), name="sig_partner"),
            models.Index(fields=["entered_by"], condition=Q(entered_by__isnull=False), name="sig_entered_by"),
            models.Index(fields=["vouched_by"], condition=Q(vouched_by__isnull=False), name="sig_vouched_by"),
            # The dashboard's count of confirmations that bounced, and the admin's filter on them.
            models.Index(fields=["campaign"], condition=Q(undeliverable_at__isnull=False), name="sig_undeliverable"),
            # The admin's name search is a case-insensitive prefix match on
            # UPPER(last_name); its index needs the text_pattern_ops operator
            # class on PostgreSQL whatever the collation, so migration 0002
            # creates it there with SQL (sig_last_name_upper_prefix), with
            # statistics on the signing day for the dashboard's per-day query.
        ]

    def __str__(self):
        return f"Signature {self.pk} ({self.status})"


class Suppression(models.Model):
    """An address we must not email again: it bounced, its owner complained, or the server refused it."""

    class Reason(models.TextChoices):
        BOUNCE = "bounce", _("Hard bounce")
        COMPLAINT = "complaint", _("Spam complaint")
        REJECTED = "rejected", _("Refused by the mail server")
        MANUAL = "manual", _("Added by staff")

    email_canonical = models.CharField(max_length=254, unique=True)
    reason = models.CharField(max_length=10, choices=Reason.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")
        constraints = [
            models.CheckConstraint(
                condition=Q(reason__in=["bounce", "complaint", "rejected", "manual"]), name="suppression_reason_valid"
            ),
        ]

    def __str__(self):
        return f"Suppression {self.pk} ({self.reason})"


def one_signature_per_address_target() -> str:
    """ON CONFLICT's target for the index that keeps one signature per address and campaign.

    The columns, and the index's condition exactly as Django wrote it for
    CREATE INDEX on this database: SQLite (make run) accepts a conflict target
    only when the condition is the same expression, where PostgreSQL also
    accepts one that implies it.
    """
    return _conflict_target(connection.vendor)


@functools.cache
def _conflict_target(vendor: str) -> str:
    constraint = next(c for c in Signature._meta.constraints if c.name == ONE_SIGNATURE_PER_ADDRESS)
    query = Query(model=Signature, alias_cols=False)
    where, params = query.build_where(constraint.condition).as_sql(query.get_compiler(connection=connection), connection)
    condition = where % tuple(connection.schema_editor().quote_value(param) for param in params)
    columns = ", ".join(Signature._meta.get_field(name).column for name in constraint.fields)
    return f"({columns}) WHERE {condition}"


class Consent(models.Model):
    """Permission to be contacted by one organisation, with the words the signer saw."""

    signature = models.ForeignKey(Signature, on_delete=models.CASCADE, related_name="consents")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="consents")
    text_shown = models.TextField()
    given_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(fields=["signature", "organisation"], name="one_consent_per_organisation"),
        ]


class AuditEntry(models.Model):
    """What staff (or a scheduled job) did to signatures, for accountability."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    action = models.CharField(max_length=40)
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.SET_NULL)
    signature = models.ForeignKey(Signature, null=True, blank=True, on_delete=models.SET_NULL)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self):
        return f"{self.action} at {self.created_at:%Y-%m-%d %H:%M}"


class BulkInvalidation(models.Model):
    """Rejecting every signature of a campaign that matches a condition, in batches.

    The conditions combine with AND. The match is bounded by the highest
    signature id when it was started, so the preview count and the work done
    describe the same rows even while people keep signing.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")
        UNDOING = "undoing", _("Being undone")
        UNDONE = "undone", _("Undone")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="invalidations")
    email_domain = models.CharField(
        max_length=254, blank=True, help_text=_("Domain after the @, e.g. mailinator.com.")
    )
    ip_hash = models.CharField(max_length=64, blank=True, help_text=_("Keyed hash of the client address."))
    signed_after = models.DateTimeField(null=True, blank=True)
    signed_before = models.DateTimeField(null=True, blank=True)
    country = models.CharField(max_length=2, blank=True)
    partner = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    max_signature_id = models.BigIntegerField(help_text=_("Signatures made after the preview are left alone."))
    matched_count = models.PositiveIntegerField(
        help_text=_("Signatures the condition matched when it was started.")
    )
    rejected_count = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    cancel_requested_at = models.DateTimeField(null=True, blank=True)
    undo_requested_at = models.DateTimeField(null=True, blank=True)
    restored_count = models.PositiveIntegerField(default=0)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("bulk invalidation")
        verbose_name_plural = _("bulk invalidations")
        constraints = [
            models.CheckConstraint(
                condition=~(
                    Q(email_domain="")
                    & Q(ip_hash="")
                    & Q(signed_after__isnull=True)
                    & Q(signed_before__isnull=True)
                    & Q(country="")
                    & Q(partner__isnull=True)
                ),
                name="invalidation_has_a_condition",
            ),
            models.CheckConstraint(
                condition=Q(signed_after__isnull=True)
                | Q(signed_before__isnull=True)
                | Q(signed_before__gt=F("signed_after")),
                name="invalidation_window_ordered",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "cancelled", "undoing", "undone"]),
                name="invalidation_status_valid",
            ),
        ]

    def __str__(self):
        return f"Bulk invalidation {self.pk} ({self.status})"

    def conditions(self) -> dict:
        return {
            "email_domain": self.email_domain,
            "ip_hash": self.ip_hash,
            "signed_after": self.signed_after,
            "signed_before": self.signed_before,
            "country": self.country,
            "partner": self.partner_id,
        }

    def matching_signatures(self):
        """The signatures still to reject: pending or confirmed, matching, and made before the start."""
        return Signature.objects.filter(
            campaign_id=self.campaign_id,
            pk__lte=self.max_signature_id,
            status__in=[Signature.Status.PENDING, Signature.Status.CONFIRMED],
        ).matching(**self.conditions())

    def progress_percent(self) -> int:
        if self.status in (self.Status.UNDOING, self.Status.UNDONE):
            done, total = self.restored_count, self.rejected_count
        else:
            done, total = self.rejected_count, self.matched_count
        if self.status in (self.Status.DONE, self.Status.UNDONE):
            return 100
        return min(100, round(100 * done / total)) if total else 0


class SignatureExport(models.Model):
    """One export of a signature list: who took which personal data out, when, and what exactly.

    Kept after the file is gone; the checksum identifies the file that left.
    """

    class Purpose(models.TextChoices):
        VERIFIED = "verified", _("Verified list")
        CONTACT = "contact", _("Contact list")

    class Channel(models.TextChoices):
        DOWNLOAD = "download", _("Streamed to the browser")
        FILE = "file", _("File built in the background")
        COMMAND = "command", _("Command line")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("File deleted")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="exports")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept apart from the foreign key so the record still says who after the account is gone.
    requested_by_name = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    filters = models.JSONField(default=dict, blank=True)
    include_bom = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_expected = models.PositiveIntegerField(null=True, blank=True, help_text=_("Counted before starting."))
    row_count = models.PositiveIntegerField(default=0, help_text=_("Rows written so far."))
    size_bytes = models.PositiveBigIntegerField(default=0)
    checksum = models.CharField(max_length=64, blank=True, help_text=_("SHA-256 of the bytes written."))
    file_name = models.CharField(
        max_length=200, blank=True, help_text=_("Inside EXPORT_ROOT, while the file exists.")
    )
    progress_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    file_deleted_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("signature export")
        verbose_name_plural = _("signature exports")
        constraints = [
            models.CheckConstraint(condition=Q(purpose__in=["verified", "contact"]), name="export_purpose_valid"),
            models.CheckConstraint(
                condition=Q(channel__in=["download", "file", "command"]), name="export_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed", "expired"]), name="export_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | (Q(finished_at__isnull=False) & ~Q(checksum="")),
                name="finished_export_has_checksum",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="export_status_expires"),
        ]

    def __str__(self):
        return f"Export {self.pk} of {self.campaign} ({self.get_purpose_display()})"

    def progress_percent(self) -> int:
        if self.status in (self.Status.DONE, self.Status.EXPIRED):
            return 100
        if not self.rows_expected:
            return 0
        return min(99, 100 * self.row_count // self.rows_expected)


class UpdateRecipient(models.Model):
    """One signer's copy of an update: the record that makes sending exactly once.

    Rows are written all at once when sending starts (pending). A worker
    claims a batch under a lease (claimed); each message is marked sending
    just before it leaves, in the same statement that re-checks the consent,
    and sent as soon as the server accepted it. A row still sending when its
    lease ran out belonged to a worker that died between those two moments:
    it is never sent again (uncertain), so nobody gets an update twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        CLAIMED = "claimed", _("Claimed by a worker")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped: consent gone")
        FAILED = "failed", _("Refused by the mail server")
        UNCERTAIN = "uncertain", _("Interrupted: may have arrived")

    update = models.ForeignKey(Update, on_delete=models.CASCADE, related_name="recipients")
    signature = models.ForeignKey(Signature, on_delete=models.CASCADE, related_name="update_copies")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    claim = models.UUIDField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("update recipient")
        verbose_name_plural = _("update recipients")
        constraints = [
            models.UniqueConstraint(fields=["update", "signature"], name="one_copy_per_signer"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "claimed", "sending", "sent", "skipped", "failed", "uncertain"]),
                name="update_recipient_status_valid",
            ),
        ]
        indexes = [
            # Workers look only at what is left to send, in id order.
            models.Index(
                fields=["update", "id"], condition=Q(status__in=["pending", "claimed", "sending"]), name="update_to_send"
            ),
        ]


class ImportJob(models.Model):
    """One partner's list of signatures: uploaded, mapped, tried (dry run), then imported at once or not at all."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="imports")
    partner = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("The organisation that collected these signatures."),
    )
    verified_by_partner = models.BooleanField(
        _("verified by partner"),
        default=False,
        help_text=_("The partner declares every signer with an email address confirmed by double opt-in: "
                    "they count at once. Unticked: each is sent the normal confirmation email."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=200, blank=True, help_text=_("Inside IMPORT_ROOT; empty once deleted."))
    original_name = models.CharField(max_length=200, blank=True)
    mapping = models.JSONField(default=dict, blank=True, help_text=_("Field name: column heading."))
    dry_run = models.BooleanField(default=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    bytes_total = models.PositiveBigIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("signature import")
        verbose_name_plural = _("signature imports")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["uploaded", "queued", "running", "done", "failed"]),
                name="import_status_valid",
            ),
        ]

    def __str__(self):
        return f"Import {self.pk} into {self.campaign}"


class WebhookEvent(models.Model):
    """An event owed to one organisation's webhook: the outbox row, written with the change it reports.

    The payload is built when the event is recorded (a withdrawal erases the
    signer's data in the same transaction) and holds only what that
    organisation needs. Events go out per organisation in id order, so each
    signature's events arrive in the order they happened.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="webhook_events")
    signature = models.ForeignKey(Signature, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    event_type = models.CharField(max_length=40)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    given_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        indexes = [
            models.Index(
                fields=["organisation", "id"],
                condition=Q(delivered_at__isnull=True, given_up_at__isnull=True),
                name="webhook_undelivered",
            ),
        ]

    def __str__(self):
        return f"{self.event_type} #{self.pk}"

    @property
    def message_id(self) -> str:
        return f"evt_{self.pk}"


class WebhookDelivery(models.Model):
    """One attempt to deliver an event: the delivery log staff read."""

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    attempted_at = models.DateTimeField(auto_now_add=True)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["-attempted_at"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")


class ApiRequest(models.Model):
    """A partner API request with an Idempotency-Key: a retry gets the first answer back."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    idempotency_key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("partner API request")
        verbose_name_plural = _("partner API requests")
        constraints = [
            models.UniqueConstraint(fields=["api_key", "idempotency_key"], name="one_answer_per_idempotency_key"),
        ]
