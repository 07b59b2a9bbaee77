"""Partners' CSV files in the admin: upload, map the columns, preview, dry run, then import in a worker.

The import itself is signatures.intake; this module is the screens around it.
"""

from itertools import islice

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, Organisation
from petition.denied import MissingPermission
from petition.enqueue import enqueue_after_commit

from ..intake import csvfile
from ..intake.decoding import detect_encoding, open_text
from ..intake.jobs import headings, import_path, progress_percent, store_upload
from ..intake.mapping import FIELDS, guess_mapping, mapping_problems
from ..intake.report import report_lines
from ..intake.rows import RowError, clean_row
from ..models import ImportJob
from ..tasks import run_import_job

IMPORT_PERMISSION = "signatures.add_importjob"
PREVIEW_ROWS = 10
MAX_UPLOAD_BYTES = 2 * 1024 * 1024 * 1024


class UploadForm(forms.ModelForm):
    file = forms.FileField(label=_("CSV file"), help_text=_("UTF-8, UTF-16 or Latin-1; comma, semicolon or tab."))

    class Meta:
        model = ImportJob
        fields = ["campaign", "partner", "verified_by_partner"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.exclude(status=Campaign.Status.DRAFT)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("verified_by_partner") and not cleaned.get("partner"):
            self.add_error("partner", _("Name the partner who vouches for the signers' double opt-in."))
        upload = cleaned.get("file")
        if upload is not None and upload.size > MAX_UPLOAD_BYTES:
            self.add_error("file", _("The file is larger than 2 GB: split it and import the parts."))
        return cleaned


def consent_fields(campaign: Campaign) -> dict[str, str]:
    """The consent fields a file for this campaign may map: lead organisation and partners."""
    organisations = list(campaign.partners.all())
    if campaign.lead_organisation:
        organisations.insert(0, campaign.lead_organisation)
    fields = {}
    for organisation in organisations:
        fields[f"consent:{organisation.slug}"] = gettext("Consent to %(name)s (yes/no)") % {"name": organisation.name}
        fields[f"consent_text:{organisation.slug}"] = gettext("Consent text for %(name)s") % {"name": organisation.name}
        fields[f"consent_at:{organisation.slug}"] = gettext("Consent time for %(name)s") % {"name": organisation.name}
    return fields


def mapping_form(job: ImportJob, file_headings: list[str], data=None) -> forms.Form:
    choices = [("", "—")] + [(heading, heading) for heading in file_headings]
    form = forms.Form(data)
    for name, label in {**FIELDS, **consent_fields(job.campaign)}.items():
        form.fields[name] = forms.ChoiceField(label=label, choices=choices, required=False, initial=job.mapping.get(name, ""))
    return form


def preview(job: ImportJob, file_headings: list[str]) -> list[dict]:
    """The first rows as the import would read them, each with its error if it has one."""
    encoding = detect_encoding(import_path(job))
    organisations = dict(
        Organisation.objects.filter(
            slug__in=[name.split(":", 1)[1] for name in job.mapping if name.startswith("consent:")]
        ).values_list("slug", "pk")
    )
    rows = []
    with open_text(import_path(job), encoding) as text:
        sample = text.read(csvfile.SNIFF_BYTES)
        text.seek(0)
        delimiter = csvfile.sniff_delimiter(sample)
        for line in islice(csvfile.read_lines(text, delimiter), PREVIEW_ROWS):
            if line.values is None:
                rows.append({"line": line.number, "values": [], "error": gettext("The line cannot be read as CSV.")})
                continue
            values = {
                field: line.values[file_headings.index(heading)]
                if heading in file_headings and file_headings.index(heading) < len(line.values) else ""
                for field, heading in job.mapping.items() if heading
            }
            error = ""
            try:
                clean_row(values, email_required=not job.verified_by_partner, default_language=job.campaign.language,
                          consent_organisations=organisations, now=timezone.now())
            except RowError as problem:
                error = str(problem)
            rows.append({"line": line.number, "values": [value[:80] for value in line.values], "error": error})
    return rows


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["id", "campaign", "partner", "original_name", "created_at", "status", "dry_run", "imported_at"]
    list_filter = ["campaign", "status"]
    ordering = ["-pk"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("new/", view(self.upload_view), name="signatures_importjob_new"),
            path("<int:pk>/mapping/", view(self.mapping_view), name="signatures_importjob_mapping"),
            path("<int:pk>/progress/", view(self.progress_view), name="signatures_importjob_progress"),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("admin:signatures_importjob_new"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("admin:signatures_importjob_progress", args=[object_id]))

    def page(self, request, template: str, title: str, **context):
        return TemplateResponse(
            request,
            f"admin/signatures/importjob/{template}",
            {**self.admin_site.each_context(request), "opts": self.opts, "title": title, **context},
        )

    def require_permission(self, request):
        if not request.user.has_perm(IMPORT_PERMISSION):
            raise MissingPermission(IMPORT_PERMISSION)

    def upload_view(self, request):
        self.require_permission(request)
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            job = form.save(commit=False)
            job.file_name, job.bytes_total = store_upload(form.cleaned_data["file"])
            job.original_name = form.cleaned_data["file"].name[:200]
            job.created_by = request.user
            job.save()
            slugs = [name.split(":", 1)[1] for name in consent_fields(job.campaign) if name.startswith("consent:")]
            job.mapping = guess_mapping(headings(job), slugs)
            job.save(update_fields=["mapping"])
            return HttpResponseRedirect(reverse("admin:signatures_importjob_mapping", args=[job.pk]))
        return self.page(request, "upload.html", gettext("Import signatures from a CSV file"), form=form)

    def mapping_view(self, request, pk: int):
        self.require_permission(request)
        job = get_object_or_404(ImportJob.objects.select_related("campaign", "partner"), pk=pk)
        if job.imported_at or not import_path(job).exists():
            return HttpResponseRedirect(reverse("admin:signatures_importjob_progress", args=[job.pk]))
        file_headings = headings(job)
        form = mapping_form(job, file_headings, request.POST or None)
        problems = []
        if request.method == "POST" and form.is_valid() and job.status not in (ImportJob.Status.QUEUED,
                                                                                 ImportJob.Status.RUNNING):
            job.mapping = {name: heading for name, heading in form.cleaned_data.items() if heading}
            problems = mapping_problems(job.mapping, file_headings, email_required=not job.verified_by_partner)
            action = request.POST.get("action", "preview")
            if problems or action == "preview":
                job.save(update_fields=["mapping"])
            else:
                dry_run = action != "import" or not self.dry_run_done(job)
                if action == "import" and dry_run:
                    messages.error(request, gettext("Run a dry run with this mapping first."))
                    job.save(update_fields=["mapping"])
                else:
                    job.dry_run = dry_run
                    job.status = ImportJob.Status.QUEUED
                    job.report = {}
                    job.save(update_fields=["mapping", "dry_run", "status", "report"])
                    enqueue_after_commit(run_import_job, job.pk)
                    return HttpResponseRedirect(reverse("admin:signatures_importjob_progress", args=[job.pk]))
            form = mapping_form(job, file_headings)
        return self.page(
            request, "mapping.html", gettext("Map the columns"),
            job=job, form=form, problems=problems, headings=file_headings, preview=preview(job, file_headings),
            can_import=self.dry_run_done(job),
        )

    def dry_run_done(self, job: ImportJob) -> bool:
        return (job.status == ImportJob.Status.DONE and job.dry_run and not job.report.get("problems")
                and job.report.get("mapping") == job.mapping)

    def progress_view(self, request, pk: int):
        self.require_permission(request)
        job = get_object_or_404(ImportJob.objects.select_related("campaign", "partner"), pk=pk)
        running = job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)
        return self.page(
            request, "progress.html", str(job), job=job, running=running, percent=progress_percent(job),
            report_lines=report_lines(job.report) if job.report.get("rows") is not None or job.report.get("problems")
            else [],
        )
