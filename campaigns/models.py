from dataclasses import dataclass

from django.conf import settings
from django.core.validators import FileExtensionValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

DEFAULT_GOAL = 1_000_000
DEFAULT_MILESTONES = (1_000, 10_000, 100_000, 250_000, 500_000, 750_000, 1_000_000)


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    website = models.URLField(blank=True)
    logo = models.FileField(
        upload_to="logos/",
        blank=True,
        validators=[FileExtensionValidator(["png", "jpg", "jpeg", "svg", "webp"])],
    )
    privacy_policy_url = models.URLField(blank=True)
    contact_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Where this organisation's CRM hears of signers who agreed to hear from it.
    webhook_url = models.URLField(
        _("webhook URL"),
        blank=True,
        help_text=_("HTTPS address that receives an event when a signer who consented to this organisation "
                    "confirms or withdraws their signature, or withdraws that consent. Empty: no events."),
    )
    webhook_secret = models.CharField(
        _("webhook secret"),
        max_length=80,
        blank=True,
        default="",
        editable=False,
        help_text=_("Shared secret (whsec_…) the events are signed with, as Standard Webhooks describes."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name


@dataclass(frozen=True)
class CampaignText:
    """What a visitor reads of a campaign, and the language it is written in."""

    title: str
    summary: str
    body: str
    language: str
    # What the campaign's picture shows, and the language that is written in
    # (a translation without its own description falls back to the campaign's).
    image_alt: str = ""
    image_alt_language: str = ""


@dataclass(frozen=True)
class NextMilestone:
    threshold: int
    remaining: int


class CampaignQuerySet(models.QuerySet):
    def public(self):
        """Campaigns a visitor may see: everything but drafts."""
        return self.exclude(status=Campaign.Status.DRAFT)


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500, blank=True)
    body = models.TextField(
        blank=True,
        help_text=_("Plain text; blank lines separate paragraphs. "
                    "**bold**, *italic*, [links](https://…) and lines starting with '- ' are allowed."),
    )
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    goal = models.PositiveIntegerField(default=DEFAULT_GOAL, validators=[MinValueValidator(1)])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    lead_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="led_campaigns"
    )
    partners = models.ManyToManyField(Organisation, blank=True, related_name="partner_campaigns")
    image = models.FileField(
        _("picture"),
        upload_to="campaigns/",
        blank=True,
        validators=[FileExtensionValidator(["png", "jpg", "jpeg", "webp"])],
        help_text=_("Shown on the petition page and when it is shared: PNG, JPEG or WebP, best 1200 × 630 pixels."),
    )
    # Read from the file when it is uploaded (campaigns.images), so the page
    # reserves the picture's space before it loads.
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_alt = models.CharField(
        _("picture description"),
        max_length=250,
        blank=True,
        help_text=_("What the picture shows, for people who cannot see it (screen readers read it out). "
                    "Needed with a picture; each translation can give its own."),
    )
    staff_emails = models.TextField(blank=True, help_text=_("Staff contacts told about milestones, one per line."))
    eci_thresholds = models.BooleanField(
        default=False, help_text=_("Show per-country minimums as for a European Citizens' Initiative.")
    )
    embed_on_any_site = models.BooleanField(
        _("let any HTTPS website embed the sign form"),
        default=False,
        help_text=_(
            "Off: only the websites registered for the lead organisation and the partners may show the form in a "
            "frame. On: any HTTPS website may, so anyone can put the form on their page."
        ),
    )
    retention_days = models.PositiveIntegerField(
        default=365, help_text=_("Days after closing before signers' personal data is anonymised.")
    )
    # Folded in by campaigns.counting, never written per signature by a request.
    signature_count = models.PositiveIntegerField(default=0)
    # The part of signature_count that came from paper sheets (verified by staff).
    paper_count = models.PositiveIntegerField(default=0)
    count_updated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Not a column: names the copy campaigns.selectors.cached_campaign keeps in
    # the cache, on the instances read back from it. What a process renders
    # from that copy (signatures.pages.kept_page) holds while the cache holds it.
    cached_copy = ""

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["draft", "open", "closed"]), name="campaign_status_valid"),
            models.CheckConstraint(condition=Q(goal__gte=1), name="campaign_goal_positive"),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True) | Q(closes_at__isnull=True) | Q(closes_at__gt=models.F("opens_at")),
                name="campaign_closes_after_opens",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("signatures:petition", kwargs={"slug": self.slug})

    def text_in(self, language: str) -> CampaignText:
        """Title, summary and body in that language, else in the campaign's own language."""
        texts = self.__dict__.setdefault("_texts", {})
        if language not in texts:
            translation = None
            if language != self.language:
                if "translations" in getattr(self, "_prefetched_objects_cache", {}):
                    translation = next((t for t in self.translations.all() if t.language == language), None)
                else:
                    translation = self.translations.filter(language=language).first()
            if translation:
                alt, alt_language = (
                    (translation.image_alt, language) if translation.image_alt else (self.image_alt, self.language)
                )
                texts[language] = CampaignText(
                    translation.title, translation.summary, translation.body, language, alt, alt_language
                )
            else:
                texts[language] = CampaignText(
                    self.title, self.summary, self.body, self.language, self.image_alt, self.language
                )
        return texts[language]

    @property
    def translated(self) -> CampaignText:
        """The text in the active language: the page's, or the signer's while an email renders."""
        return self.text_in(get_language() or self.language)

    def phase(self, now=None) -> str:
        """draft, upcoming, open or closed, from status and the opening window."""
        now = now or timezone.now()
        if self.status == self.Status.DRAFT:
            return "draft"
        if self.status == self.Status.CLOSED or (self.closes_at and now >= self.closes_at):
            return "closed"
        if self.opens_at and now < self.opens_at:
            return "upcoming"
        return "open"

    def accepts_signatures(self, now=None) -> bool:
        return self.phase(now) == "open"

    def accepts_confirmations(self, now=None) -> bool:
        """Signers who signed in time may confirm for a grace period after closing."""
        now = now or timezone.now()
        phase = self.phase(now)
        if phase == "open":
            return True
        if phase != "closed":
            return False
        closed_at = self.closes_at if self.closes_at and self.closes_at <= now else (self.closed_at or self.updated_at)
        return now < closed_at + timezone.timedelta(days=settings.CONFIRMATION_GRACE_DAYS)

    def progress_percent(self) -> float:
        return min(100.0, 100.0 * self.signature_count / self.goal) if self.goal else 0.0

    def staff_email_list(self) -> list[str]:
        return [line.strip() for line in self.staff_emails.splitlines() if line.strip()]

    def next_milestone(self) -> NextMilestone | None:
        """The smallest milestone still above the count: what the page says comes next."""
        threshold = (
            self.milestones.filter(threshold__gt=self.signature_count)
            .order_by("threshold")
            .values_list("threshold", flat=True)
            .first()
        )
        if threshold is None:
            return None
        return NextMilestone(threshold=threshold, remaining=threshold - self.signature_count)

    def counts_by_country(self) -> dict[str, int]:
        """Folded counts per ISO country code, leaving out countries at zero."""
        return dict(
            self.country_counts.filter(count__gt=0).order_by("country").values_list("country", "count")
        )


class CampaignTranslation(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500, blank=True)
    body = models.TextField(blank=True)
    image_alt = models.CharField(
        _("picture description"),
        max_length=250,
        blank=True,
        help_text=_("What the campaign's picture shows, in this language; empty uses the campaign's own."),
    )

    class Meta:
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "language"], name="one_translation_per_language"),
        ]

    def __str__(self):
        return f"{self.campaign.slug} ({self.language})"


class Milestone(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="milestones")
    threshold = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    reached_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["threshold"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "threshold"], name="one_milestone_per_threshold"),
            models.CheckConstraint(condition=Q(threshold__gte=1), name="milestone_threshold_positive"),
        ]

    def __str__(self):
        return f"{self.threshold:,}"


class CountryCount(models.Model):
    """Confirmed signatures per country, folded like Campaign.signature_count."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="country_counts")
    country = models.CharField(max_length=2)
    count = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("count by country")
        verbose_name_plural = _("counts by country")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "country"], name="one_count_per_country"),
        ]


class PartnerCount(models.Model):
    """Confirmed signatures per referring partner, folded like Campaign.signature_count."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="partner_counts")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    count = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("count by partner")
        verbose_name_plural = _("counts by partner")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "organisation"], name="one_count_per_partner"),
        ]


class Update(models.Model):
    """A message from one organisation to the signers of a campaign who agreed to hear from it.

    Its audience is that organisation's consent; what was sent to whom lives
    in the per-recipient rows of signatures.UpdateRecipient, the tallies here
    are what the admin's progress bar reads.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        PAUSED = "paused", _("Paused")
        DONE = "done", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="updates")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="updates",
        help_text=_("Sent on behalf of this organisation, to the signers who agreed to hear from it."),
    )
    sender_name = models.CharField(
        _("sender name"), max_length=100, help_text=_("The name signers see as the sender.")
    )
    fallback_language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("Signers whose language has no text get the text in this language."),
    )
    countries = models.JSONField(
        default=list, blank=True, help_text=_("Only signers from these countries; empty for all.")
    )
    languages = models.JSONField(
        default=list, blank=True, help_text=_("Only signers with these languages; empty for all.")
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Recipients are written once, when sending starts; the tallies follow each batch.
    recipient_count = models.PositiveIntegerField(default=0)
    sent_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("update")
        verbose_name_plural = _("updates")
        permissions = [("send_update", "Can send updates")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "scheduled", "sending", "paused", "done", "cancelled"]),
                name="update_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="scheduled") | Q(send_at__isnull=False), name="scheduled_update_has_time"
            ),
        ]
        indexes = [
            models.Index(fields=["send_at"], condition=Q(status="scheduled"), name="update_due"),
        ]

    def __str__(self):
        return f"{self.organisation} → {self.campaign} ({self.get_status_display()})"

    @property
    def done_count(self) -> int:
        return self.sent_count + self.skipped_count + self.failed_count

    def progress_percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.recipient_count:
            return 0
        return min(100, 100 * self.done_count // self.recipient_count)

    def text_for(self, language: str) -> "UpdateText | None":
        """The text in that language, else in the fallback language."""
        texts = {text.language: text for text in self.texts.all()}
        return texts.get(language) or texts.get(self.fallback_language)


class UpdateText(models.Model):
    update = models.ForeignKey(Update, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    subject = models.CharField(max_length=200)
    body = models.TextField(
        help_text=_(
            "Plain text; blank lines separate paragraphs. **bold**, *italic*, [links](https://…) and lines "
            "starting with '- ' are allowed. {first_name}, {name} and {petition} are replaced by the signer's "
            "first name, full name and the petition's title."
        ),
    )

    class Meta:
        verbose_name = _("update text")
        verbose_name_plural = _("update texts")
        constraints = [
            models.UniqueConstraint(fields=["update", "language"], name="one_update_text_per_language"),
        ]

    def __str__(self):
        return f"{self.update_id} ({self.language})"
class ApiKey(models.Model):
    """A partner's key to the signature API: shown once, kept only as a hash, revocable."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, help_text=_("What the key is for, e.g. \"website form\"."))
    # The first characters, shown in lists so staff can tell keys apart.
    prefix = models.CharField(max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self):
        return f"{self.prefix}… ({self.name})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
