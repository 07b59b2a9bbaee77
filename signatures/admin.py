"""Signatures in the admin: a changelist that stays fast with millions of rows, and moderation.

Only staff with signature permissions reach these screens: they show names and
addresses. Every write goes through signatures.moderation, which records it in
the audit log and asks for a fold so the counts follow.
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries import countries

from campaigns.models import Campaign, CountryCount, Organisation

from . import fraud, moderation
from .models import AuditEntry, BulkInvalidation, Consent, Signature, normalise_domain

MODERATE_PERMISSION = "signatures.moderate_signatures"
EU_MEMBER_STATES = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
]  # fmt: skip


class CappedCountPaginator(Paginator):
    """Counts at most CAP matching rows, so no page ever counts a million of them.

    Past the cap the changelist says "more than 10,000" and pages as far as
    the cap; search and filters narrow it down.
    """

    CAP = 10_000

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by()[: self.CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.CAP


class HiddenValueFilter(admin.SimpleListFilter):
    """A filter set by links (the fraud view, a bulk invalidation) and shown only while it applies."""

    max_length = 254

    def lookups(self, request, model_admin):
        value = self.value()
        return [(value, self.describe(value))] if value else []

    def describe(self, value):
        return value

    def clean(self, value):
        return value.strip()[: self.max_length]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(**{self.field: self.clean(value)}) if value else queryset


class EmailDomainFilter(HiddenValueFilter):
    title = _("email domain")
    parameter_name = "email_domain"
    field = "email_domain"

    def clean(self, value):
        return normalise_domain(value)[: self.max_length]


class IpHashFilter(HiddenValueFilter):
    title = _("address hash")
    parameter_name = "ip_hash"
    field = "ip_hash"
    max_length = 64

    def describe(self, value):
        return value[:12] + "…"


class InvalidationFilter(HiddenValueFilter):
    title = _("bulk invalidation")
    parameter_name = "invalidation"
    field = "invalidation_id"

    def clean(self, value):
        return int(value) if value.isdigit() and len(value) < 19 else 0


class SignedWithinFilter(admin.SimpleListFilter):
    title = _("signed within")
    parameter_name = "signed_within"

    def lookups(self, request, model_admin):
        return [(window.key, window.label) for window in fraud.WINDOWS]

    def queryset(self, request, queryset):
        window = fraud.window(self.value() or "")
        return queryset.filter(created_at__gte=timezone.now() - window.length) if window else queryset


class CountryFilter(admin.SimpleListFilter):
    """The EU's member states and any country with counted signatures: never a DISTINCT over signatures."""

    title = _("country")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        codes = set(EU_MEMBER_STATES) | set(CountryCount.objects.values_list("country", flat=True).distinct())
        return sorted(((code, countries.name(code) or code) for code in codes), key=lambda item: str(item[1]))

    def queryset(self, request, queryset):
        return queryset.filter(country=self.value()[:2].upper()) if self.value() else queryset


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0
    can_delete = False
    fields = ["organisation", "text_shown", "given_at", "withdrawn_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RejectForm(forms.Form):
    CATEGORIES = [("spam", _("Spam")), ("fraud", _("Fraud")), ("other", _("Other"))]

    category = forms.ChoiceField(label=_("Reason"), choices=CATEGORIES, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=150,
        help_text=_("What you saw, for whoever reviews this later. Do not write personal data here."),
    )

    def reason(self) -> str:
        note = self.cleaned_data["note"].strip()
        return f"{self.cleaned_data['category']}: {note}" if note else self.cleaned_data["category"]


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = ["id", "signer", "email", "campaign", "country", "partner", "status", "created_at", "confirmed_at"]
    list_filter = [
        "campaign",
        "status",
        CountryFilter,
        "partner",
        ("confirmed_at", admin.DateFieldListFilter),
        SignedWithinFilter,
        EmailDomainFilter,
        IpHashFilter,
        InvalidationFilter,
    ]
    list_select_related = ["campaign", "partner"]
    list_per_page = 100
    list_max_show_all = 100
    ordering = ["-pk"]
    sortable_by = ["id"]
    paginator = CappedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    search_fields = ["email_canonical", "last_name"]  # shows the search box; get_search_results decides
    search_help_text = _(
        "An email address (finds every spelling of it), a signature number, "
        "or the start of a last name (\"lovel\", or first then last name: \"ada lovel\")."
    )
    actions = ["resend_confirmation", "reject_signatures", "restore_signatures", "erase_personal_data"]
    inlines = [ConsentInline]
    fieldsets = [
        (_("Signer"), {"fields": ["first_name", "last_name", "email", "email_canonical", "country", "postcode",
                                  "language", "contact_consent"]}),
        (_("Campaign and attribution"), {"fields": ["campaign", "partner", "utm_source", "utm_campaign",
                                                     "ip_hash", "email_domain"]}),
        (_("Status"), {"fields": ["status", "is_counted", "created_at", "confirmed_at", "withdrawn_at",
                                  "rejected_at", "rejection_reason", "invalidation", "erased_at"]}),
        (_("Emails"), {"fields": ["email_due", "email_requested_at", "confirmation_sent_at", "reminder_sent_at",
                                  "emails_sent", "send_failed_at"]}),
        (_("History"), {"fields": ["history"]}),
    ]  # fmt: skip
    readonly_fields = [field for _, options in fieldsets for field in options["fields"]]

    # Rows change only through the moderation actions, never by hand, and are
    # never deleted here (erasure keeps what the counts need).
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_moderate_permission(self, request):
        return request.user.has_perm(MODERATE_PERMISSION)

    def get_search_results(self, request, queryset, search_term):
        return queryset.search(search_term), False

    @admin.display(description=_("name"))
    def signer(self, signature):
        if signature.erased_at:
            return _("(erased)")
        return f"{signature.first_name} {signature.last_name}"

    @admin.display(description=_("staff actions on this signature"))
    def history(self, signature):
        entries = AuditEntry.objects.filter(signature=signature).select_related("actor").order_by("created_at")
        if not entries:
            return _("None")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} — {} ({}) {}</li>",
                (
                    (
                        entry.created_at.strftime("%Y-%m-%d %H:%M UTC"),
                        entry.action,
                        entry.actor or _("scheduled job"),
                        entry.detail.get("reason", ""),
                    )
                    for entry in entries
                ),
            ),
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_moderate": self.has_moderate_permission(request)}
        return super().changeform_view(request, object_id, form_url, extra_context)

    # Actions

    def selected_ids(self, request, queryset) -> list[int] | None:
        ids = list(queryset.order_by().values_list("pk", flat=True)[: moderation.MAX_SELECTION + 1])
        if len(ids) > moderation.MAX_SELECTION:
            self.message_user(
                request,
                _("Please select at most %(max)s signatures; for more, use a bulk invalidation.")
                % {"max": number_format(moderation.MAX_SELECTION, force_grouping=True)},
                messages.ERROR,
            )
            return None
        return ids

    def confirmation_page(self, request, ids, action, title, explanation, button, form=None):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "explanation": explanation,
            "button": button,
            "action": action,
            "ids": ids,
            "form": form,
            "count": len(ids),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/signatures/signature/action_confirmation.html", context)

    @admin.action(description=_("Resend the confirmation link"), permissions=["moderate"])
    def resend_confirmation(self, request, queryset):
        ids = self.selected_ids(request, queryset)
        if ids is None:
            return None
        queued = moderation.resend_confirmation(ids, actor=request.user)
        self.message_user(
            request,
            ngettext(
                "Queued the confirmation link for %(count)d signature.",
                "Queued the confirmation link for %(count)d signatures.",
                queued,
            )
            % {"count": queued}
            + " "
            + _("Only pending signatures with an address, and within the email limit, get one."),
        )
        return None

    @admin.action(description=_("Reject as spam or fraud…"), permissions=["moderate"])
    def reject_signatures(self, request, queryset):
        ids = self.selected_ids(request, queryset)
        if ids is None:
            return None
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            rejected = moderation.reject(ids, form.reason(), actor=request.user)
            self.message_user(
                request,
                ngettext(
                    "Rejected %(count)d signature; the counts follow within seconds.",
                    "Rejected %(count)d signatures; the counts follow within seconds.",
                    rejected,
                )
                % {"count": rejected},
            )
            return None
        return self.confirmation_page(
            request,
            ids,
            "reject_signatures",
            _("Reject signatures"),
            _(
                "Rejected signatures stop counting but are kept, with the reason, and can be restored. "
                "Only pending and confirmed signatures are rejected."
            ),
            _("Reject"),
            form,
        )

    @admin.action(description=_("Restore rejected signatures"), permissions=["moderate"])
    def restore_signatures(self, request, queryset):
        ids = self.selected_ids(request, queryset)
        if ids is None:
            return None
        restored = moderation.restore(ids, actor=request.user)
        self.message_user(
            request,
            ngettext(
                "Restored %(count)d signature (confirmed ones count again).",
                "Restored %(count)d signatures (confirmed ones count again).",
                restored,
            )
            % {"count": restored},
        )
        return None

    @admin.action(description=_("Erase personal data…"), permissions=["moderate"])
    def erase_personal_data(self, request, queryset):
        ids = self.selected_ids(request, queryset)
        if ids is None:
            return None
        if "apply" in request.POST:
            erased = moderation.erase(ids, actor=request.user)
            self.message_user(
                request,
                ngettext(
                    "Erased the personal data of %(count)d signature.",
                    "Erased the personal data of %(count)d signatures.",
                    erased,
                )
                % {"count": erased},
            )
            return None
        return self.confirmation_page(
            request,
            ids,
            "erase_personal_data",
            _("Erase personal data"),
            _(
                "Name, email address, postcode and address hash are deleted for good. Country and status stay, "
                "so a confirmed signature still counts. This cannot be undone."
            ),
            _("Erase"),
        )


class BulkInvalidationForm(forms.ModelForm):
    class Meta:
        model = BulkInvalidation
        fields = ["campaign", "email_domain", "ip_hash", "signed_after", "signed_before", "country", "partner",
                  "reason"]  # fmt: skip
        labels = {
            "email_domain": _("Email domain"),
            "ip_hash": _("Address hash"),
            "signed_after": _("Signed from"),
            "signed_before": _("Signed before"),
        }
        help_texts = {
            "signed_after": _("UTC, e.g. 2025-03-01 14:00"),
            "signed_before": _("UTC; signatures made before this time."),
            "country": _("Two-letter code, e.g. DE."),
            "reason": _("Stored on each rejected signature. Do not write personal data here."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.order_by("-created_at")
        self.fields["partner"].queryset = Organisation.objects.order_by("name")

    def clean_email_domain(self):
        return normalise_domain(self.cleaned_data["email_domain"])

    def clean_ip_hash(self):
        value = self.cleaned_data["ip_hash"].strip().lower()
        if value and (len(value) != 64 or any(char not in "0123456789abcdef" for char in value)):
            raise forms.ValidationError(_("An address hash is 64 hexadecimal characters, as the fraud view shows."))
        return value

    def clean_country(self):
        value = self.cleaned_data["country"].strip().upper()
        if value and value not in dict(countries):
            raise forms.ValidationError(_("Please give a two-letter country code, such as DE or FR."))
        return value

    def clean(self):
        cleaned = super().clean()
        conditions = ["email_domain", "ip_hash", "signed_after", "signed_before", "country", "partner"]
        if not any(cleaned.get(name) for name in conditions):
            raise forms.ValidationError(_("Please choose at least one condition: this would reject every signature."))
        after, before = cleaned.get("signed_after"), cleaned.get("signed_before")
        if after and before and before <= after:
            self.add_error("signed_before", _("The end of the time window must be after its start."))
        return cleaned


@admin.register(BulkInvalidation)
class BulkInvalidationAdmin(admin.ModelAdmin):
    list_display = ["id", "campaign", "conditions_summary", "status", "progress", "created_by", "created_at"]
    list_filter = ["status", "campaign"]
    list_select_related = ["campaign", "created_by", "partner"]
    fields = ["campaign", "conditions_summary", "reason", "status", "progress", "matched_count", "rejected_count",
              "restored_count", "created_by", "created_at", "started_at", "finished_at", "cancel_requested_at",
              "undo_requested_at", "undone_at", "signatures_link"]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request):
        return super().has_add_permission(request) and request.user.has_perm(MODERATE_PERMISSION)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("conditions"))
    def conditions_summary(self, invalidation):
        parts = []
        if invalidation.email_domain:
            parts.append(_("email domain %(domain)s") % {"domain": invalidation.email_domain})
        if invalidation.ip_hash:
            parts.append(_("address hash %(hash)s…") % {"hash": invalidation.ip_hash[:12]})
        if invalidation.signed_after:
            parts.append(_("signed from %(time)s") % {"time": invalidation.signed_after.strftime("%Y-%m-%d %H:%M")})
        if invalidation.signed_before:
            parts.append(_("signed before %(time)s") % {"time": invalidation.signed_before.strftime("%Y-%m-%d %H:%M")})
        if invalidation.country:
            parts.append(_("country %(country)s") % {"country": invalidation.country})
        if invalidation.partner_id:
            parts.append(_("partner %(partner)s") % {"partner": invalidation.partner})
        return ", ".join(str(part) for part in parts)

    @admin.display(description=_("progress"))
    def progress(self, invalidation):
        percent = invalidation.progress_percent()
        return format_html('<progress max="100" value="{}">{}%</progress> {}%', percent, percent, percent)

    @admin.display(description=_("signatures"))
    def signatures_link(self, invalidation):
        url = reverse("admin:signatures_signature_changelist") + f"?invalidation={invalidation.pk}"
        return format_html('<a href="{}">{}</a>', url, _("Signatures this invalidation rejected"))

    def get_urls(self):
        return [
            path("<int:pk>/cancel/", self.admin_site.admin_view(self.cancel_view), name="signatures_bulk_cancel"),
            path("<int:pk>/undo/", self.admin_site.admin_view(self.undo_view), name="signatures_bulk_undo"),
            path("<int:pk>/resume/", self.admin_site.admin_view(self.resume_view), name="signatures_bulk_resume"),
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        invalidation = get_object_or_404(BulkInvalidation, pk=object_id) if str(object_id).isdigit() else None
        extra_context = {
            **(extra_context or {}),
            "can_moderate": request.user.has_perm(MODERATE_PERMISSION),
            "in_progress": invalidation is not None
            and invalidation.status
            in (BulkInvalidation.Status.QUEUED, BulkInvalidation.Status.RUNNING, BulkInvalidation.Status.UNDOING),
            "invalidation": invalidation,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        """Choose a condition, see how many signatures it matches, then start."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        preview = None
        if request.method == "POST":
            form = BulkInvalidationForm(request.POST)
            if form.is_valid() and "edit" not in request.POST:
                invalidation = form.save(commit=False)
                if "start" in request.POST and request.POST.get("max_signature_id", "").isdigit():
                    # The bound seen in the preview, so the work matches what was shown.
                    invalidation.max_signature_id = int(request.POST["max_signature_id"])
                    invalidation = moderation.start_bulk_invalidation(invalidation, actor=request.user)
                    self.message_user(request, _("Bulk invalidation started; progress is shown below."))
                    return HttpResponseRedirect(
                        reverse("admin:signatures_bulkinvalidation_change", args=[invalidation.pk])
                    )
                invalidation.max_signature_id = moderation.latest_signature_id()
                matches = invalidation.matching_signatures()
                preview = {
                    "conditions": [
                        (form.fields[name].label, value)
                        for name, value in form.cleaned_data.items()
                        if value and name != "reason"
                    ],
                    "count": matches.count(),
                    "max_signature_id": invalidation.max_signature_id,
                    "changelist_url": self.preview_changelist_url(invalidation),
                }
        else:
            form = BulkInvalidationForm(initial=self.initial_from_query(request))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("New bulk invalidation"),
            "form": form,
            "preview": preview,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/signatures/bulkinvalidation/add.html", context)

    def initial_from_query(self, request) -> dict:
        """Prefilled from links in the fraud view: ?campaign=1&email_domain=…"""
        allowed = ["campaign", "email_domain", "ip_hash", "signed_after", "country", "partner"]
        return {name: request.GET[name][:254] for name in allowed if request.GET.get(name)}

    def preview_changelist_url(self, invalidation) -> str:
        query = {"campaign__id__exact": invalidation.campaign_id}
        if invalidation.email_domain:
            query["email_domain"] = invalidation.email_domain
        if invalidation.ip_hash:
            query["ip_hash"] = invalidation.ip_hash
        if invalidation.country:
            query["country"] = invalidation.country
        if invalidation.partner_id:
            query["partner__id__exact"] = invalidation.partner_id
        return signature_changelist_url(**query)

    def moderation_post(self, request, pk, service, done_message, refused_message):
        if request.method != "POST" or not request.user.has_perm(MODERATE_PERMISSION):
            raise PermissionDenied
        invalidation = get_object_or_404(BulkInvalidation, pk=pk)
        if service(invalidation.pk, request.user):
            self.message_user(request, done_message)
        else:
            self.message_user(request, refused_message, messages.WARNING)
        return HttpResponseRedirect(reverse("admin:signatures_bulkinvalidation_change", args=[invalidation.pk]))

    def cancel_view(self, request, pk):
        return self.moderation_post(
            request,
            pk,
            moderation.cancel_bulk_invalidation,
            _("It stops after the current batch; what was rejected so far stays rejected until undone."),
            _("Only a queued or running invalidation can be cancelled."),
        )

    def undo_view(self, request, pk):
        return self.moderation_post(
            request,
            pk,
            moderation.undo_bulk_invalidation,
            _("Restoring the signatures it rejected; progress is shown below."),
            _("Only a finished or cancelled invalidation can be undone."),
        )

    def resume_view(self, request, pk):
        return self.moderation_post(
            request,
            pk,
            lambda invalidation_id, actor: moderation.resume_bulk_work(invalidation_id),
            _("Queued again; it carries on where it stopped."),
            _("There is nothing left to run."),
        )


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "actor", "campaign", "signature_link", "summary"]
    list_filter = ["action", "campaign"]
    list_select_related = ["actor", "campaign"]
    readonly_fields = ["created_at", "actor", "action", "campaign", "signature", "detail"]
    paginator = CappedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    ordering = ["-created_at", "-pk"]
    sortable_by = []

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("signature"))
    def signature_link(self, entry):
        if not entry.signature_id:
            return "—"
        url = reverse("admin:signatures_signature_change", args=[entry.signature_id])
        return format_html('<a href="{}">{}</a>', url, entry.signature_id)

    @admin.display(description=_("detail"))
    def summary(self, entry):
        return ", ".join(f"{key}: {value}" for key, value in entry.detail.items())


def signature_changelist_url(**query) -> str:
    """A link to the signature changelist with these filters (the fraud view builds its links with it)."""
    return reverse("admin:signatures_signature_changelist") + "?" + urlencode(query)
from . import admin_exports  # noqa: F401,E402
