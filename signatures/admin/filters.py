"""Changelist filters that never make PostgreSQL count or DISTINCT over millions of signatures."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from campaigns.models import CountryCount

from .. import fraud
from ..models import normalise_domain

EU_MEMBER_STATES = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
]  # fmt: skip


class HiddenValueFilter(admin.SimpleListFilter):
    """A filter set by links (the fraud view, a bulk invalidation) and shown only while it applies."""

    max_length = 254

    def lookups(self, request, model_admin):
        value = self.value()
        return [(value, self.describe(value))] if value else []

    def describe(self, value):
        return value

    def clean(self, value):
        return value.strip()[: self.max_length]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(**{self.field: self.clean(value)}) if value else queryset


class EmailDomainFilter(HiddenValueFilter):
    title = _("email domain")
    parameter_name = "email_domain"
    field = "email_domain"

    def clean(self, value):
        return normalise_domain(value)[: self.max_length]


class IpHashFilter(HiddenValueFilter):
    title = _("address hash")
    parameter_name = "ip_hash"
    field = "ip_hash"
    max_length = 64

    def describe(self, value):
        return value[:12] + "…"


class InvalidationFilter(HiddenValueFilter):
    title = _("bulk invalidation")
    parameter_name = "invalidation"
    field = "invalidation_id"

    def clean(self, value):
        return int(value) if value.isdigit() and len(value) < 19 else 0


class SignedWithinFilter(admin.SimpleListFilter):
    title = _("signed within")
    parameter_name = "signed_within"

    def lookups(self, request, model_admin):
        return [(window.key, window.label) for window in fraud.WINDOWS]

    def queryset(self, request, queryset):
        window = fraud.window(self.value() or "")
        return queryset.filter(created_at__gte=timezone.now() - window.length) if window else queryset


class CountryFilter(admin.SimpleListFilter):
    """The EU's member states and any country with counted signatures: never a DISTINCT over signatures."""

    title = _("country")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        codes = set(EU_MEMBER_STATES) | set(CountryCount.objects.values_list("country", flat=True).distinct())
        return sorted(((code, countries.name(code) or code) for code in codes), key=lambda item: str(item[1]))

    def queryset(self, request, queryset):
        return queryset.filter(country=self.value()[:2].upper()) if self.value() else queryset
