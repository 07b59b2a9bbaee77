"""Updates in the admin: draft per language, audience and preview, test, send now or later, pause, resume, cancel.

Drafting needs the model's add/change permissions (Campaign managers and
Communications have them); sending, pausing, resuming and cancelling need
"Can send updates" (Communications only). Every one of those goes through
signatures.updates.control, which writes the audit log.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from campaigns.models import Update, UpdateText
from petition.denied import MissingPermission

from ..models import Signature
from ..updates import audience, control
from ..updates.compose import Composer
from .update_forms import SendForm, UpdateForm, UpdateTextForm, UpdateTextFormSet

SEND_PERMISSION = "campaigns.send_update"


class UpdateTextInline(admin.StackedInline):
    model = UpdateText
    form = UpdateTextForm
    formset = UpdateTextFormSet
    extra = 1
    min_num = 1
    validate_min = True

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.status == Update.Status.DRAFT)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and (obj is None or obj.status == Update.Status.DRAFT)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or obj.status == Update.Status.DRAFT)


@admin.register(Update)
class UpdateAdmin(admin.ModelAdmin):
    form = UpdateForm
    inlines = [UpdateTextInline]
    list_display = ["__str__", "status", "progress", "send_at", "created_by"]
    list_filter = ["status", "campaign", "organisation"]
    list_select_related = ["campaign", "organisation", "created_by"]
    fields = ["campaign", "organisation", "sender_name", "fallback_language", "countries", "languages"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.status == Update.Status.DRAFT)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("progress"))
    def progress(self, update):
        percent = update.progress_percent()
        return format_html('<progress max="100" value="{}">{}%</progress> {}%', percent, percent, percent)

    def response_add(self, request, obj, post_url_continue=None):
        if "_continue" in request.POST or "_addanother" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        return HttpResponseRedirect(reverse("admin:campaigns_update_sending", args=[obj.pk]))

    def response_change(self, request, obj):
        if "_continue" in request.POST or "_addanother" in request.POST:
            return super().response_change(request, obj)
        return HttpResponseRedirect(reverse("admin:campaigns_update_sending", args=[obj.pk]))

    def get_urls(self):
        def view(function, name):
            return path(f"<int:pk>/{name}/", self.admin_site.admin_view(function), name=f"campaigns_update_{name}")

        return [
            view(self.sending_view, "sending"),
            view(self.progress_view, "progress"),
            path(
                "<int:pk>/preview/<str:language>/",
                self.admin_site.admin_view(self.preview_view),
                name="campaigns_update_preview",
            ),
            view(require_POST(self.test_view), "test"),
            view(require_POST(self.send_view), "send"),
            view(require_POST(self.pause_view), "pause"),
            view(require_POST(self.resume_view), "resume"),
            view(require_POST(self.cancel_view), "cancel"),
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        update = Update.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
        if update is not None and update.status != Update.Status.DRAFT and self.has_view_permission(request, update):
            return HttpResponseRedirect(reverse("admin:campaigns_update_sending", args=[update.pk]))
        return super().change_view(request, object_id, form_url, extra_context)

    def viewable(self, request, pk) -> Update:
        update = get_object_or_404(Update.objects.select_related("campaign", "organisation", "created_by"), pk=pk)
        if not self.has_view_permission(request, update):
            raise MissingPermission("campaigns.view_update")
        return update

    def sendable(self, request, pk) -> Update:
        if not request.user.has_perm(SEND_PERMISSION):
            raise MissingPermission(SEND_PERMISSION)
        return self.viewable(request, pk)

    def sending_view(self, request, pk):
        """Audience, previews, the test and the send, and once it runs its progress and controls."""
        update = self.viewable(request, pk)
        texts = list(update.texts.order_by("language"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Send: %(update)s") % {"update": update},
            "update": update,
            "texts": texts,
            "audience": audience.counts(update) if update.status == Update.Status.DRAFT else None,
            "send_form": SendForm(),
            "can_send": request.user.has_perm(SEND_PERMISSION),
            "can_change": self.has_change_permission(request, update),
            "in_progress": update.status in (Update.Status.SCHEDULED, Update.Status.SENDING),
            "progress_url": reverse("admin:campaigns_update_progress", args=[update.pk]),
        }
        return TemplateResponse(request, "admin/campaigns/update/sending.html", context)

    def progress_view(self, request, pk):
        update = self.viewable(request, pk)
        return JsonResponse(
            {
                "status": update.status,
                "status_display": str(update.get_status_display()),
                "recipients": update.recipient_count,
                "sent": update.sent_count,
                "skipped": update.skipped_count,
                "failed": update.failed_count,
                "percent": update.progress_percent(),
            },
            headers={"Cache-Control": "no-store"},
        )

    def preview_view(self, request, pk, language):
        """The update as a signer in that language sees it, with the staff member's name in the signer's place."""
        update = self.viewable(request, pk)
        composer = Composer(update)
        if composer.skeleton(language[:8]) is None:
            raise Http404
        sample = Signature(
            first_name=request.user.first_name or request.user.get_username(),
            last_name=request.user.last_name,
            language=language[:8],
        )
        message = composer.message(sample, to=request.user.email or "preview@example.invalid", test=True)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Preview"),
            "update": update,
            "language": language[:8],
            "message": message,
            "html": message.alternatives[0][0],
            "sending_url": reverse("admin:campaigns_update_sending", args=[update.pk]),
        }
        return TemplateResponse(request, "admin/campaigns/update/preview.html", context)

    def back(self, request, update, message, level=messages.SUCCESS):
        self.message_user(request, message, level)
        return HttpResponseRedirect(reverse("admin:campaigns_update_sending", args=[update.pk]))

    def test_view(self, request, pk):
        update = self.viewable(request, pk)
        if not self.has_change_permission(request, update) and not request.user.has_perm(SEND_PERMISSION):
            raise PermissionDenied
        language = request.POST.get("language", "")[:8] or update.fallback_language
        if Composer(update).skeleton(language) is None:
            return self.back(request, update, _("This update has no text to test yet."), messages.ERROR)
        if not request.user.email:
            return self.back(request, update, _("Your account has no email address to send the test to."), messages.ERROR)
        if control.send_test(update, language, request.user):
            return self.back(request, update, _("A test was sent to %(address)s.") % {"address": request.user.email})
        return self.back(request, update, _("The mail server did not take the test; try again."), messages.ERROR)

    def send_view(self, request, pk):
        update = self.sendable(request, pk)
        form = SendForm(request.POST)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Send: %(update)s") % {"update": update},
                "update": update,
                "texts": list(update.texts.order_by("language")),
                "audience": audience.counts(update),
                "send_form": form,
                "can_send": True,
                "can_change": self.has_change_permission(request, update),
                "in_progress": False,
                "progress_url": reverse("admin:campaigns_update_progress", args=[update.pk]),
            }
            return TemplateResponse(request, "admin/campaigns/update/sending.html", context, status=400)
        at = form.cleaned_data["send_at"]
        if not control.send(update, request.user, at):
            return self.back(request, update, _("Only a draft can be sent."), messages.WARNING)
        if at:
            return self.back(request, update, _("Scheduled; it starts at the time you chose."))
        return self.back(request, update, _("Sending has started; progress is shown below."))

    def pause_view(self, request, pk):
        update = self.sendable(request, pk)
        if control.pause(update, request.user):
            return self.back(request, update, _("Paused after the current batch. Resume to carry on."))
        return self.back(request, update, _("Only an update that is sending can be paused."), messages.WARNING)

    def resume_view(self, request, pk):
        update = self.sendable(request, pk)
        if control.resume(update, request.user):
            return self.back(request, update, _("Sending again where it stopped."))
        return self.back(request, update, _("Only a paused update can be resumed."), messages.WARNING)

    def cancel_view(self, request, pk):
        update = self.sendable(request, pk)
        if control.cancel(update, request.user):
            return self.back(request, update, _("Cancelled: nobody else will get it. What was sent stays sent."))
        return self.back(request, update, _("It has already finished or was cancelled."), messages.WARNING)
