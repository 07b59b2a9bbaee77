from django.contrib import admin

from .models import AuditEntry, Signature


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = ["id", "first_name", "last_name", "email", "campaign", "country", "status", "created_at", "confirmed_at"]
    list_filter = ["status", "campaign", "country"]
    search_fields = ["=email", "=email_canonical", "last_name__startswith"]
    list_select_related = ["campaign"]
    show_full_result_count = False
    readonly_fields = [
        "campaign", "email_canonical", "ip_hash", "status", "created_at", "confirmed_at", "withdrawn_at",
        "rejected_at", "erased_at", "email_due", "email_requested_at", "email_claimed_at", "confirmation_sent_at",
        "emails_sent", "send_failed_at", "reminder_sent_at", "is_counted", "partner",
    ]
    exclude = ["token"]
    raw_id_fields = ["campaign"]

    def has_add_permission(self, request):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "actor", "campaign", "signature"]
    list_filter = ["action"]
    readonly_fields = ["created_at", "actor", "action", "campaign", "signature", "detail"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
from . import admin_exports  # noqa: F401,E402
