from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..models import AuditEntry
from .paginator import CappedCountPaginator
from .read_only import ReadOnlyModelAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyModelAdmin):
    list_display = ["created_at", "action", "actor", "campaign", "signature_link", "summary"]
    list_filter = ["action", "campaign"]
    list_select_related = ["actor", "campaign"]
    readonly_fields = ["created_at", "actor", "action", "campaign", "signature", "detail"]
    paginator = CappedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    ordering = ["-created_at", "-pk"]
    sortable_by = []

    @admin.display(description=_("signature"))
    def signature_link(self, entry):
        if not entry.signature_id:
            return "—"
        url = reverse("admin:signatures_signature_change", args=[entry.signature_id])
        return format_html('<a href="{}">{}</a>', url, entry.signature_id)

    @admin.display(description=_("detail"))
    def summary(self, entry):
        return ", ".join(f"{key}: {value}" for key, value in entry.detail.items())
