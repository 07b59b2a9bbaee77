"""Bulk invalidation: reject every signature of a campaign matching a condition, with preview, progress and undo."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from petition.denied import MissingPermission

from .. import moderation
from ..models import BulkInvalidation
from .forms import BulkInvalidationForm
from .links import signature_changelist_url
from .signatures import MODERATE_PERMISSION


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
            raise MissingPermission("signatures.add_bulkinvalidation")
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
        if request.method != "POST":
            raise PermissionDenied
        if not request.user.has_perm(MODERATE_PERMISSION):
            raise MissingPermission(MODERATE_PERMISSION)
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
