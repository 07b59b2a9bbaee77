from django.contrib import admin
from django.utils.html import format_html_join

from .embed import snippets_by_organisation
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
    readonly_fields = [
        "signature_count",
        "count_updated_at",
        "closed_at",
        "created_at",
        "updated_at",
        "embed_snippets",
    ]
    filter_horizontal = ["partners"]
    inlines = [MilestoneInline, TranslationInline]

    @admin.display(description="Embed snippets")
    def embed_snippets(self, campaign):
        """Per organisation, the HTML to paste into its website; signatures through it are credited to it."""
        if not campaign.pk:
            return "Save the campaign first."
        snippets = snippets_by_organisation(campaign)
        if not snippets:
            return "Add a lead or partner organisation to get its snippet."
        return format_html_join(
            "",
            '<p><strong>{}</strong></p><textarea readonly rows="4" cols="100" aria-label="{}">{}</textarea>',
            ((organisation.name, f"Embed snippet for {organisation.name}", snippet) for organisation, snippet in snippets),
        )
