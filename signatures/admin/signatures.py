"""The signature changelist, which stays fast with millions of rows, and the moderation actions."""

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import moderation
from ..models import AuditEntry, Consent, Signature
from .filters import CountryFilter, EmailDomainFilter, InvalidationFilter, IpHashFilter, SignedWithinFilter
from .forms import RejectForm
from .paginator import CappedCountPaginator
from .paper import ENTER_PERMISSION, paper_entry_view
from .read_only import ReadOnlyModelAdmin

MODERATE_PERMISSION = "signatures.moderate_signatures"


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


@admin.register(Signature)
class SignatureAdmin(ReadOnlyModelAdmin):
    list_display = [
        "id", "signer", "email", "campaign", "country", "partner", "status_and_delivery", "created_at", "confirmed_at",
    ]  # fmt: skip
    list_filter = [
        "campaign",
        "status",
        CountryFilter,
        "partner",
        ("confirmed_at", admin.DateFieldListFilter),
        ("undeliverable_at", admin.EmptyFieldListFilter),
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
                                  "rejected_at", "rejection_reason", "invalidation", "duplicate_of", "erased_at"]}),
        (_("Emails"), {"fields": ["email_due", "email_requested_at", "confirmation_sent_at", "reminder_sent_at",
                                  "emails_sent", "send_failed_at", "undeliverable_at", "emails_stopped_at"]}),
        (_("History"), {"fields": ["history"]}),
    ]  # fmt: skip
    readonly_fields = [field for _, options in fieldsets for field in options["fields"]]

    # Read-only: rows change only through the moderation actions, never by
    # hand, and are never deleted here (erasure keeps what the counts need).
    def get_urls(self):
        view = self.admin_site.admin_view(lambda request: paper_entry_view(self.admin_site, request))
        return [path("paper/", view, name="signatures_paper_entry"), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_enter_paper": request.user.has_perm(ENTER_PERMISSION)}
        return super().changelist_view(request, extra_context)

    def has_moderate_permission(self, request):
        return request.user.has_perm(MODERATE_PERMISSION)

    def get_search_results(self, request, queryset, search_term):
        return queryset.search(search_term), False

    @admin.display(description=_("status"), ordering="status")
    def status_and_delivery(self, signature):
        """The status, and whether the confirmation could not be delivered (bounced, refused, suppressed)."""
        if signature.undeliverable_at:
            # Translators: a signature's status in the admin list when its confirmation email bounced.
            return _("%(status)s, undeliverable") % {"status": signature.get_status_display()}
        return signature.get_status_display()

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
                ngettext(
                    "Please select at most %(max)s signature; for more, use a bulk invalidation.",
                    "Please select at most %(max)s signatures; for more, use a bulk invalidation.",
                    moderation.MAX_SELECTION,
                )
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
