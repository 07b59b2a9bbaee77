"""The filters of a signature export, validated the same way for the admin and the command line."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from campaigns.models import Campaign, Organisation

from ..models import Signature, SignatureExport
from .spec import ExportSpec

ISO_DATE = "%Y-%m-%d"


class IsoDateInput(forms.DateInput):
    """A date typed as YYYY-MM-DD, as the help text and the command line say.

    A browser's date box shows the date in its own locale's order (mm/dd/yyyy
    in Chromium's English), which contradicted the help text.
    """

    def __init__(self):
        super().__init__(
            format=ISO_DATE,
            attrs={"class": "vDateField", "placeholder": "YYYY-MM-DD", "inputmode": "numeric", "autocomplete": "off"},
        )


class ExportForm(forms.Form):
    purpose = forms.ChoiceField(
        label=_("What to export"),
        choices=SignatureExport.Purpose.choices,
        initial=SignatureExport.Purpose.VERIFIED,
        widget=forms.RadioSelect(attrs={"class": "radiolist"}),
        help_text=_("A verified list has names, country, postcode, confirmation time and partner, and no email. "
                    "A contact list for one organisation has name, email, country, language and consent time."),
    )
    status = forms.MultipleChoiceField(
        label=_("Signatures"),
        choices=[
            (Signature.Status.CONFIRMED, _("Confirmed")),
            (Signature.Status.PENDING, _("Pending (not confirmed by email)")),
        ],
        initial=[Signature.Status.CONFIRMED],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "radiolist"}),
        help_text=_("Withdrawn, rejected and erased signatures are never exported."),
        error_messages={"required": _("Choose confirmed signatures, pending ones, or both.")},
    )
    country = forms.MultipleChoiceField(
        label=_("Countries"),
        choices=lambda: list(countries),  # names in the language of the request, not of start-up
        required=False,
        help_text=_("Leave empty for every country."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    partner = forms.ModelChoiceField(
        label=_("Referred by partner"),
        queryset=Organisation.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("Any (or none)"),
    )
    confirmed_from = forms.DateField(
        label=_("Confirmed on or after"),
        required=False,
        input_formats=[ISO_DATE],
        help_text=_("A date in UTC, YYYY-MM-DD."),
        widget=IsoDateInput(),
    )
    confirmed_to = forms.DateField(
        label=_("Confirmed on or before"),
        required=False,
        input_formats=[ISO_DATE],
        help_text=_("A date in UTC, YYYY-MM-DD."),
        widget=IsoDateInput(),
    )
    consented_to = forms.ModelChoiceField(
        label=_("Consented to be contacted by"),
        queryset=Organisation.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("No consent filter"),
        help_text=_("Required for a contact list: only signers who agreed to hear from this organisation "
                    "and have not withdrawn."),
    )
    bom = forms.BooleanField(
        label=_("Add a byte-order mark"),
        required=False,
        help_text=_("Helps older spreadsheet programs open the file as UTF-8."),
    )

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign

    def clean(self):
        data = super().clean()
        purpose = data.get("purpose")
        if purpose == SignatureExport.Purpose.CONTACT:
            if not data.get("consented_to") and "consented_to" not in self.errors:
                self.add_error(
                    "consented_to", _("A contact list is for one organisation: choose who the signers consented to.")
                )
            if Signature.Status.PENDING in data.get("status", []):
                self.add_error(
                    "status", _("A contact list holds confirmed signatures only; untick pending signatures.")
                )
        start, end = data.get("confirmed_from"), data.get("confirmed_to")
        if start and end and start > end:
            self.add_error("confirmed_to", _("This date is before the start of the range."))
        return data

    def spec(self) -> ExportSpec:
        data = self.cleaned_data
        chosen = set(data["status"])
        return ExportSpec(
            campaign_id=self.campaign.pk,
            purpose=data["purpose"],
            # Always in the same order, so equal filters give equal records.
            statuses=tuple(status for status in (Signature.Status.CONFIRMED, Signature.Status.PENDING) if status in chosen),
            countries=tuple(sorted(data["country"])),
            partner_id=data["partner"].pk if data["partner"] else None,
            confirmed_from=data["confirmed_from"],
            confirmed_to=data["confirmed_to"],
            consented_to_id=data["consented_to"].pk if data["consented_to"] else None,
            include_bom=data["bom"],
        )
