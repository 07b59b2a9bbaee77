from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from campaigns.models import Campaign, Organisation

from ..models import BulkInvalidation, normalise_domain


class RejectForm(forms.Form):
    CATEGORIES = [("spam", _("Spam")), ("fraud", _("Fraud")), ("other", _("Other"))]

    category = forms.ChoiceField(label=_("Reason"), choices=CATEGORIES, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=150,
        help_text=_("What you saw, for whoever reviews this later. Do not write personal data here."),
    )

    def reason(self) -> str:
        note = self.cleaned_data["note"].strip()
        return f"{self.cleaned_data['category']}: {note}" if note else self.cleaned_data["category"]


class BulkInvalidationForm(forms.ModelForm):
    class Meta:
        model = BulkInvalidation
        fields = ["campaign", "email_domain", "ip_hash", "signed_after", "signed_before", "country", "partner",
                  "reason"]  # fmt: skip
        labels = {
            "email_domain": _("Email domain"),
            "ip_hash": _("Address hash"),
            "signed_after": _("Signed from"),
            "signed_before": _("Signed before"),
        }
        help_texts = {
            "signed_after": _("UTC, e.g. 2025-03-01 14:00"),
            "signed_before": _("UTC; signatures made before this time."),
            "country": _("Two-letter code, e.g. DE."),
            "reason": _("Stored on each rejected signature. Do not write personal data here."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.order_by("-created_at")
        self.fields["partner"].queryset = Organisation.objects.order_by("name")

    def clean_email_domain(self):
        return normalise_domain(self.cleaned_data["email_domain"])

    def clean_ip_hash(self):
        value = self.cleaned_data["ip_hash"].strip().lower()
        if value and (len(value) != 64 or any(char not in "0123456789abcdef" for char in value)):
            raise forms.ValidationError(_("An address hash is 64 hexadecimal characters, as the fraud view shows."))
        return value

    def clean_country(self):
        value = self.cleaned_data["country"].strip().upper()
        if value and value not in dict(countries):
            raise forms.ValidationError(_("Please give a two-letter country code, such as DE or FR."))
        return value

    def clean(self):
        cleaned = super().clean()
        conditions = ["email_domain", "ip_hash", "signed_after", "signed_before", "country", "partner"]
        if not any(cleaned.get(name) for name in conditions):
            raise forms.ValidationError(_("Please choose at least one condition: this would reject every signature."))
        after, before = cleaned.get("signed_after"), cleaned.get("signed_before")
        if after and before and before <= after:
            self.add_error("signed_before", _("The end of the time window must be after its start."))
        return cleaned
