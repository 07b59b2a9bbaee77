from django.contrib import admin

from .models import Campaign, CampaignTranslation, Milestone, Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "website", "contact_email"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 1
    fields = ["threshold", "reached_at", "notified_at"]
    readonly_fields = ["reached_at", "notified_at"]


class TranslationInline(admin.StackedInline):
    model = CampaignTranslation
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "status", "signature_count", "goal", "opens_at", "closes_at"]
    list_filter = ["status"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["signature_count", "count_updated_at", "closed_at", "created_at", "updated_at"]
    filter_horizontal = ["partners"]
    inlines = [MilestoneInline, TranslationInline]
