"""Admin screens for exporting signature lists, and the read-only record of every export."""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, Organisation
from petition.denied import MissingPermission, NotYours
from petition.enqueue import enqueue_after_commit

from ..exports.files import downloadable_file
from ..exports.forms import ExportForm
from ..exports.records import record_download, recorded_stream, start_export
from ..exports.spec import ExportSpec, count_rows
from ..models import SignatureExport
from ..tasks import build_export_file
from .read_only import ReadOnlyModelAdmin

EXPORT_PERMISSION = "signatures.export_signatures"


def require_export_permission(request) -> None:
    if not request.user.has_perm(EXPORT_PERMISSION):
        raise MissingPermission(EXPORT_PERMISSION)


def export_file_name(campaign: Campaign, export: SignatureExport) -> str:
    return f"{campaign.slug}-{export.purpose}-{export.pk}.csv"


def describe_filters(export: SignatureExport) -> str:
    """The filters of an export in words, for staff reading the record."""
    filters = export.filters
    organisation_ids = [filters.get("partner_id"), filters.get("consented_to_id")]
    names = dict(Organisation.objects.filter(pk__in=[i for i in organisation_ids if i]).values_list("pk", "name"))
    parts = [gettext("status: %(statuses)s") % {"statuses": ", ".join(filters.get("status") or [])}]
    if filters.get("country"):
        parts.append(gettext("countries: %(countries)s") % {"countries": ", ".join(filters["country"])})
    if filters.get("partner_id"):
        partner = names.get(filters["partner_id"], f"#{filters['partner_id']}")
        parts.append(gettext("partner: %(name)s") % {"name": partner})
    if filters.get("confirmed_from"):
        parts.append(gettext("confirmed from %(date)s") % {"date": filters["confirmed_from"]})
    if filters.get("confirmed_to"):
        parts.append(gettext("confirmed until %(date)s") % {"date": filters["confirmed_to"]})
    if filters.get("consented_to_id"):
        organisation = names.get(filters["consented_to_id"], f"#{filters['consented_to_id']}")
        parts.append(gettext("consented to %(name)s") % {"name": organisation})
    return "; ".join(parts)


@admin.register(SignatureExport)
class SignatureExportAdmin(ReadOnlyModelAdmin):
    """Every export, read-only: nobody adds, edits or deletes these records here."""

    list_display = [
        "created_at", "campaign", "purpose", "channel", "requested_by_name", "status", "row_count", "progress_link"
    ]
    list_filter = ["status", "purpose", "channel", "campaign"]
    list_select_related = ["campaign"]
    search_fields = ["requested_by_name", "campaign__slug", "checksum"]
    date_hierarchy = "created_at"
    fields = [
        "campaign", "purpose", "channel", "filters_in_words", "filters", "include_bom", "requested_by",
        "requested_by_name", "created_at", "status", "rows_expected", "row_count", "size_bytes", "checksum",
        "progress_at", "finished_at", "expires_at", "file_deleted_at", "error",
    ]
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(EXPORT_PERMISSION) or super().has_view_permission(request, obj)

    @admin.display(description=_("filters"))
    def filters_in_words(self, export):
        return describe_filters(export)

    @admin.display(description=_("progress"))
    def progress_link(self, export):
        if export.channel != SignatureExport.Channel.FILE:
            return "—"
        url = reverse("admin:signatures_signatureexport_progress", args=[export.pk])
        return format_html('<a href="{}">{}%</a>', url, export.progress_percent())

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_export": request.user.has_perm(EXPORT_PERMISSION)}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("new/", view(self.choose_campaign_view), name="signatures_signatureexport_choose"),
            path("new/<slug:slug>/", view(self.export_view), name="signatures_signatureexport_new"),
            path("<int:pk>/progress/", view(self.progress_view), name="signatures_signatureexport_progress"),
            path("<int:pk>/download/", view(self.download_view), name="signatures_signatureexport_download"),
            *super().get_urls(),
        ]

    def page_context(self, request, title: str, **context) -> dict:
        return {**self.admin_site.each_context(request), "opts": self.model._meta, "title": title, **context}

    def choose_campaign_view(self, request):
        require_export_permission(request)
        context = self.page_context(
            request, gettext("Export signatures: choose a campaign"), campaigns=Campaign.objects.order_by("title")
        )
        return TemplateResponse(request, "admin/signatures/signatureexport/choose_campaign.html", context)

    def export_view(self, request, slug: str):
        """GET shows the filters and, once chosen, how many rows will come out; POST starts the export."""
        require_export_permission(request)
        campaign = get_object_or_404(Campaign, slug=slug)
        if request.method == "POST":
            form = ExportForm(request.POST, campaign=campaign)
            if form.is_valid():
                return self.deliver_export(request, campaign, form.spec())
        elif "purpose" in request.GET:
            form = ExportForm(request.GET, campaign=campaign)
        else:
            form = ExportForm(campaign=campaign)
        rows = count_rows(form.spec()) if form.is_bound and form.is_valid() else None
        context = self.page_context(
            request,
            gettext("Export signatures of %(campaign)s") % {"campaign": campaign},
            campaign=campaign,
            form=form,
            # The admin's own fieldset markup, so the choices line up with the other fields.
            adminform=helpers.AdminForm(form, [(None, {"fields": list(form.fields)})], {}),
            rows=rows,
            streams=rows is not None and rows <= settings.EXPORT_STREAM_MAX_ROWS,
            stream_max_rows=settings.EXPORT_STREAM_MAX_ROWS,
            file_ttl_hours=settings.EXPORT_FILE_TTL_HOURS,
            chosen=[(name, value) for name, values in request.GET.lists() for value in values],
        )
        return TemplateResponse(request, "admin/signatures/signatureexport/export.html", context)

    def deliver_export(self, request, campaign: Campaign, spec: ExportSpec):
        rows = count_rows(spec)
        if rows <= settings.EXPORT_STREAM_MAX_ROWS:
            export = start_export(
                spec, user=request.user, channel=SignatureExport.Channel.DOWNLOAD, rows_expected=rows
            )
            response = StreamingHttpResponse(
                recorded_stream(export, spec), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = f'attachment; filename="{export_file_name(campaign, export)}"'
            response["Cache-Control"] = "no-store"
            return response
        export = start_export(spec, user=request.user, channel=SignatureExport.Channel.FILE, rows_expected=rows)
        enqueue_after_commit(build_export_file, export.pk)
        messages.info(
            request,
            ngettext(
                "%(rows)s row is too many to stream: the file is being prepared. This page shows its progress.",
                "%(rows)s rows are too many to stream: the file is being prepared. This page shows its progress.",
                rows,
            )
            % {"rows": rows},
        )
        return redirect("admin:signatures_signatureexport_progress", pk=export.pk)

    def progress_view(self, request, pk: int):
        require_export_permission(request)
        export = get_object_or_404(SignatureExport.objects.select_related("campaign"), pk=pk)
        is_requester = export.requested_by_id == request.user.pk
        context = self.page_context(
            request,
            gettext("Export %(id)s of %(campaign)s") % {"id": export.pk, "campaign": export.campaign},
            export=export,
            filters=describe_filters(export),
            in_progress=export.status in (SignatureExport.Status.QUEUED, SignatureExport.Status.RUNNING),
            is_requester=is_requester,
            downloadable=is_requester and downloadable_file(export) is not None,
        )
        return TemplateResponse(request, "admin/signatures/signatureexport/progress.html", context)

    def download_view(self, request, pk: int):
        """The file goes only to the person who asked for it, and only until it expires."""
        require_export_permission(request)
        export = get_object_or_404(SignatureExport.objects.select_related("campaign"), pk=pk)
        if export.requested_by_id != request.user.pk:
            raise NotYours(gettext("Only the person who requested this export can download it."))
        file_path = downloadable_file(export)
        if file_path is None:
            messages.error(request, gettext("This file is not available: it is not ready yet, or it has expired."))
            return redirect("admin:signatures_signatureexport_progress", pk=export.pk)
        record_download(export, request.user)
        response = FileResponse(
            open(file_path, "rb"),
            as_attachment=True,
            filename=export_file_name(export.campaign, export),
            content_type="text/csv; charset=utf-8",
        )
        response["Cache-Control"] = "no-store"
        return response
