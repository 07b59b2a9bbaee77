"""The webhook delivery log: each event owed to an organisation, and every attempt to deliver it."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import WebhookDelivery, WebhookEvent
from .read_only import ReadOnlyModelAdmin


class DeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    extra = 0
    can_delete = False
    fields = ["attempted_at", "succeeded", "status_code", "error"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyModelAdmin):
    list_display = ["id", "organisation", "event_type", "signature_id", "created_at", "attempts", "state"]
    list_filter = ["organisation", "event_type", ("delivered_at", admin.EmptyFieldListFilter)]
    list_select_related = ["organisation"]
    ordering = ["-pk"]
    fields = ["organisation", "event_type", "signature_id", "created_at", "attempts", "next_attempt_at",
              "delivered_at", "given_up_at"]
    readonly_fields = fields
    inlines = [DeliveryInline]
    show_full_result_count = False

    @admin.display(description=_("state"))
    def state(self, event):
        if event.delivered_at:
            return _("delivered")
        if event.given_up_at:
            return _("given up")
        return _("waiting (next try %(when)s)") % {"when": event.next_attempt_at.strftime("%Y-%m-%d %H:%M:%S")}
