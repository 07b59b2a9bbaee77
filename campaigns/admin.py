"""Campaigns and organisations in the admin, with each campaign's dashboard and fraud view.

The dashboard and the fraud view read signatures: this module assembles the
site, so it is the one place in campaigns that imports from signatures.

The status changes only through the open and close buttons (campaigns.services),
so closed_at is always set with it. Counts are read-only: folds write them.
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from petition.crossorigin import origin_of
from petition.denied import MissingPermission, NotYours
from petition.staffauth import second_factor_given
from signatures.admin.links import signature_changelist_url
from signatures.dashboard import campaign_dashboard
from signatures.fraud import fraud_report
from signatures.webhook_events import record_test_event

from . import services
from .api_keys import issue_key, revoke
from .embed_snippets import snippets_by_organisation
from .images import picture_size
from .models import DEFAULT_MILESTONES, ApiKey, Campaign, CampaignTranslation, Milestone, Organisation, PartnerCount
from .selectors import forget_campaigns
from .webhook_secrets import new_webhook_secret

VIEW_SIGNATURES = "signatures.view_signature"
MODERATE_SIGNATURES = "signatures.moderate_signatures"


def slugs_of_campaigns_with(organisations) -> list[str]:
    """The campaigns these organisations lead or back as partners."""
    return list(
        Campaign.objects.filter(
            models.Q(lead_organisation__in=organisations) | models.Q(partners__in=organisations)
        )
        .values_list("slug", flat=True)
        .distinct()
    )


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "website", "contact_email"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ["webhook_signing_secret"]
    change_form_template = "admin/campaigns/organisation/change_form.html"

    @admin.display(description=_("webhook secret"))
    def webhook_signing_secret(self, organisation):
        if not organisation.webhook_secret:
            return _("Made when a webhook URL is saved.")
        return format_html(
            "<code>{}</code><div class=\"help\">{}</div>",
            organisation.webhook_secret,
            _("Give this to the organisation's CRM: events carry webhook-id, webhook-timestamp and "
              "webhook-signature headers as the Standard Webhooks specification describes."),
        )

    # The webhook sends the names and addresses of the organisation's consenting signers to whatever URL
    # is saved: choosing it is as good as exporting them, so it takes a login with two factors (as the
    # signature roles have), not the password alone that is enough to edit an organisation's name.
    def may_route_personal_data(self, request, obj=None) -> bool:
        return self.has_change_permission(request, obj) and second_factor_given(request)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not self.may_route_personal_data(request, obj):
            fields.append("webhook_url")
        return fields

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if not self.may_route_personal_data(request, obj):
            # Only who may choose the webhook may read the secret its events are signed with.
            return [field for field in fields if field != "webhook_signing_secret"]
        return fields

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_test_webhook"] = self.may_route_personal_data(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        if obj.webhook_url and not obj.webhook_secret:
            obj.webhook_secret = new_webhook_secret()
        super().save_model(request, obj, form, change)
        # The cache keeps each campaign with its lead organisation, and the partners
        # the confirmed page names (campaigns.selectors, campaigns.showcase).
        forget_campaigns(slugs_of_campaigns_with(Organisation.objects.filter(pk=obj.pk)))

    def delete_model(self, request, obj):
        forget_campaigns(slugs_of_campaigns_with(Organisation.objects.filter(pk=obj.pk)))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        forget_campaigns(slugs_of_campaigns_with(queryset))
        super().delete_queryset(request, queryset)

    def get_urls(self):
        view = self.admin_site.admin_view(self.webhook_test_view)
        return [path("<int:pk>/webhook-test/", view, name="campaigns_organisation_webhook_test"), *super().get_urls()]

    def webhook_test_view(self, request, pk: int):
        organisation = get_object_or_404(Organisation, pk=pk)
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:campaigns_organisation_change", args=[pk]))
        if not self.has_change_permission(request, organisation):
            raise MissingPermission("campaigns.change_organisation")
        if not second_factor_given(request):
            raise NotYours(_("The webhook carries signers' personal data: only a login with two factors may use it."))
        if not organisation.webhook_url:
            messages.error(request, _("Save a webhook URL first."))
        else:
            record_test_event(organisation.pk)
            messages.success(
                request, _("A test event is on its way; its delivery shows in the webhook events.")
            )
        return HttpResponseRedirect(reverse("admin:campaigns_organisation_change", args=[pk]))


class ApiKeyForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["organisation", "name"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are shown once, when issued; afterwards only their first characters and their use."""

    form = ApiKeyForm
    list_display = ["prefix", "name", "organisation", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["organisation"]
    readonly_fields = ["prefix", "created_at", "created_by", "last_used_at", "revoked_at"]
    actions = ["revoke_keys"]

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Shown once by response_add, never stored.
        request.issued_api_key = issue_key(obj.organisation, obj.name, created_by=request.user, key=obj)[1]

    def response_add(self, request, obj, post_url_continue=None):
        return TemplateResponse(
            request,
            "admin/campaigns/apikey/issued.html",
            {**self.admin_site.each_context(request), "opts": self.opts, "key": obj,
             "plaintext": request.issued_api_key, "title": _("API key issued")},
        )

    @admin.action(description=_("Revoke the selected keys"), permissions=["add"])
    def revoke_keys(self, request, queryset):
        revoked = revoke(list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext("%(count)d key revoked.", "%(count)d keys revoked.", revoked) % {"count": revoked},
            messages.SUCCESS,
        )


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 1
    fields = ["threshold", "reached_at", "notified_at"]
    readonly_fields = ["reached_at", "notified_at"]
    verbose_name_plural = format_lazy(
        _("milestones (a new campaign saved without any gets {defaults})"),
        defaults=", ".join(f"{threshold:,}" for threshold in DEFAULT_MILESTONES),
    )


class TranslationInline(admin.StackedInline):
    model = CampaignTranslation
    extra = 0


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = "__all__"

    def clean_image(self):
        """A new upload must be a picture; its size is kept so the page can reserve its space."""
        image = self.cleaned_data.get("image")
        if isinstance(image, UploadedFile):
            self.instance.image_width, self.instance.image_height = picture_size(image)
        elif not image:
            self.instance.image_width = self.instance.image_height = None
        return image

    def clean(self):
        cleaned = super().clean()
        opens_at, closes_at = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens_at and closes_at and closes_at <= opens_at:
            self.add_error("closes_at", _("The closing time must be after the opening time."))
        if cleaned.get("image") and not cleaned.get("image_alt", "").strip() and "image" not in self.errors:
            self.add_error("image_alt", _("Describe the picture for people who cannot see it."))
        return cleaned


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    form = CampaignForm
    list_display = ["title", "slug", "status", "signature_count", "goal", "opens_at", "closes_at", "links"]
    list_filter = ["status"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = [
        "status", "preview", "signature_count", "partner_counts", "count_updated_at", "closed_at", "created_at",
        "updated_at", "embed_snippets",
    ]  # fmt: skip
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "preview", "summary", "body", "language", "image",
                           "image_alt"]}),
        (_("Organisations"), {"fields": ["lead_organisation", "partners"]}),
        (_("Timing and goal"), {"fields": ["opens_at", "closes_at", "closed_at", "goal", "eci_thresholds"]}),
        (_("Counts (folded from confirmations, read-only)"), {"fields": ["signature_count", "partner_counts",
                                                                         "count_updated_at"]}),
        (_("Staff and retention"), {"fields": ["staff_emails", "retention_days", "created_at", "updated_at"]}),
        (_("Embed on partner websites"), {"fields": ["embed_on_any_site", "embed_snippets"]}),
    ]  # fmt: skip
    filter_horizontal = ["partners"]
    inlines = [MilestoneInline, TranslationInline]
    actions = ["open_selected", "close_selected"]

    @admin.display(description=_("petition page"))
    def preview(self, campaign):
        if not campaign.pk:
            return _("Available once saved.")
        label = _("Preview the draft (only staff can see it)") if campaign.status == "draft" else _("View on the site")
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', campaign.get_absolute_url(), label)

    @admin.display(description=_("confirmed signatures by partner"))
    def partner_counts(self, campaign):
        if not campaign.pk:
            return "—"
        rows = PartnerCount.objects.filter(campaign=campaign, count__gt=0).select_related("organisation")
        if not rows:
            return _("None yet.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "", "<li>{}: {}</li>", ((row.organisation.name, f"{row.count:,}") for row in rows.order_by("-count"))
            ),
        )

    @admin.display(description=_("pages"))
    def links(self, campaign):
        parts = [
            (reverse("admin:campaigns_campaign_dashboard", args=[campaign.pk]), _("Dashboard")),
            (campaign.get_absolute_url(), _("Preview") if campaign.status == "draft" else _("View")),
        ]
        return format_html_join(" · ", '<a href="{}">{}</a>', parts)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change and not form.instance.milestones.exists():
            services.add_default_milestones(form.instance)

    # The sign step keeps each campaign in the cache (campaigns.selectors); an edit replaces it at once.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        forget_campaigns([obj.slug, *([form.initial["slug"]] if change and form.initial.get("slug") else [])])

    def delete_model(self, request, obj):
        forget_campaigns([obj.slug])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        forget_campaigns(list(queryset.values_list("slug", flat=True)))
        super().delete_queryset(request, queryset)

    # Opening and closing

    def opened_message(self, request, campaign):
        campaign.refresh_from_db()
        phase = campaign.phase()
        if phase == "open":
            self.message_user(request, _("“%(title)s” is open for signatures.") % {"title": campaign.title})
        elif phase == "upcoming":
            self.message_user(
                request,
                _("“%(title)s” is open and starts taking signatures at its opening time.") % {"title": campaign.title},
            )
        else:
            self.message_user(
                request,
                _("“%(title)s” is open, but its closing time has passed: change the closing time to take signatures.")
                % {"title": campaign.title},
                messages.WARNING,
            )

    @admin.action(description=_("Open the selected campaigns for signatures"), permissions=["change"])
    def open_selected(self, request, queryset):
        for campaign in queryset:
            services.open_campaign(campaign)
            self.log_change(request, campaign, [{"changed": {"fields": ["status"]}}])
            self.opened_message(request, campaign)

    @admin.action(description=_("Close the selected campaigns"), permissions=["change"])
    def close_selected(self, request, queryset):
        campaigns = list(queryset)
        for campaign in campaigns:
            services.close_campaign(campaign)
            self.log_change(request, campaign, [{"changed": {"fields": ["status"]}}])
        self.message_user(
            request,
            ngettext("Closed %(count)d campaign.", "Closed %(count)d campaigns.", len(campaigns))
            % {"count": len(campaigns)},
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/dashboard/", view(self.dashboard_view), name="campaigns_campaign_dashboard"),
            path("<int:pk>/fraud/", view(self.fraud_view), name="campaigns_campaign_fraud"),
            path("<int:pk>/open/", view(self.open_view), name="campaigns_campaign_open"),
            path("<int:pk>/close/", view(self.close_view), name="campaigns_campaign_close"),
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_see_fraud": request.user.has_perm(VIEW_SIGNATURES),
            "can_change": self.has_change_permission(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def status_change(self, request, pk, service):
        if request.method != "POST":
            raise PermissionDenied
        campaign = get_object_or_404(Campaign, pk=pk)
        if not self.has_change_permission(request, campaign):
            raise MissingPermission("campaigns.change_campaign")
        service(campaign)
        self.log_change(request, campaign, [{"changed": {"fields": ["status"]}}])
        return campaign

    def open_view(self, request, pk):
        campaign = self.status_change(request, pk, services.open_campaign)
        self.opened_message(request, campaign)
        return HttpResponseRedirect(reverse("admin:campaigns_campaign_change", args=[campaign.pk]))

    def close_view(self, request, pk):
        campaign = self.status_change(request, pk, services.close_campaign)
        self.message_user(request, _("“%(title)s” is closed.") % {"title": campaign.title})
        return HttpResponseRedirect(reverse("admin:campaigns_campaign_change", args=[campaign.pk]))

    def campaign_page(self, request, campaign, template, title, extra):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": campaign,
            "campaign": campaign,
            "title": title,
            "can_see_fraud": request.user.has_perm(VIEW_SIGNATURES),
            **extra,
        }
        return TemplateResponse(request, template, context)

    def dashboard_view(self, request, pk):
        """Totals, rate, signatures per day, countries, partners, sources: aggregates only, no personal data."""
        campaign = get_object_or_404(Campaign.objects.select_related("lead_organisation"), pk=pk)
        if not self.has_view_permission(request, campaign):
            raise MissingPermission("campaigns.view_campaign")
        return self.campaign_page(
            request,
            campaign,
            "admin/campaigns/campaign/dashboard.html",
            _("Dashboard: %(title)s") % {"title": campaign.title},
            {"dashboard": campaign_dashboard(campaign)},
        )

    def fraud_view(self, request, pk):
        """The email domains and address hashes with the most signatures lately, linking to the list."""
        campaign = get_object_or_404(Campaign, pk=pk)
        if not self.has_view_permission(request, campaign):
            raise MissingPermission("campaigns.view_campaign")
        if not request.user.has_perm(VIEW_SIGNATURES):
            raise MissingPermission(VIEW_SIGNATURES)
        can_moderate = request.user.has_perm(MODERATE_SIGNATURES)
        windows = []
        for window in fraud_report(campaign.pk):
            key = window["window"].key
            for field, rows in (("email_domain", window["domains"]), ("ip_hash", window["ip_hashes"])):
                for row in rows:
                    row["list_url"] = signature_changelist_url(
                        campaign__id__exact=campaign.pk, signed_within=key, **{field: row[field]}
                    )
                    if can_moderate:
                        since = window["since"].strftime("%Y-%m-%d %H:%M:%S")
                        query = {"campaign": campaign.pk, field: row[field], "signed_after": since}
                        row["invalidate_url"] = reverse("admin:signatures_bulkinvalidation_add") + "?" + urlencode(query)
            windows.append(window)
        return self.campaign_page(
            request,
            campaign,
            "admin/campaigns/campaign/fraud.html",
            _("Fraud view: %(title)s") % {"title": campaign.title},
            {"windows": windows, "now": timezone.now()},
        )

    @admin.display(description=_("Embed snippets"))
    def embed_snippets(self, campaign):
        """Per organisation, the HTML to paste into its website; signatures through it are credited to it."""
        if not campaign.pk:
            return _("Save the campaign first.")
        snippets = snippets_by_organisation(campaign)
        if not snippets:
            return _("Add a lead or partner organisation to get its snippet.")
        if campaign.embed_on_any_site:
            where = _("Any HTTPS website may show the form.")
        else:
            where = _(
                "The form shows only on the websites registered for these organisations (and on this site): "
                "paste each snippet on its organisation's website, or tick the box above to allow any HTTPS website."
            )
        return format_html(
            '<p class="help">{}</p>{}',
            where,
            format_html_join(
                "",
                '<p><strong>{}</strong>{}</p><textarea readonly rows="4" cols="100" aria-label="{}">{}</textarea>',
                (
                    (
                        organisation.name,
                        self.framing_note(campaign, organisation),
                        _("Embed snippet for %(name)s") % {"name": organisation.name},
                        snippet,
                    )
                    for organisation, snippet in snippets
                ),
            ),
        )

    def framing_note(self, campaign, organisation) -> str:
        origin = origin_of(organisation.website)
        if origin:
            return " — " + _("works on %(origin)s") % {"origin": origin}
        if campaign.embed_on_any_site:
            return ""
        return " — " + _("no website registered for this organisation: its snippet works nowhere until one is")
