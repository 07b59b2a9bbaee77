"""The paper-sheet screen: volunteers type a stack of sheets, one signer per row, by keyboard alone.

Campaign and sheet reference are chosen once and carried from row to row,
as is the country of the previous row. After each row the cursor is back in
the first name; a row that duplicates an existing signature is not saved
and the page says which signature it duplicates.
"""

from urllib.parse import urlencode

from django import forms
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from campaigns.models import Campaign
from petition.denied import MissingPermission

from ..intake.rows import RowError, clean_row
from ..models import Signature
from ..paper import enter_paper_signature

ENTER_PERMISSION = "signatures.add_signature"
ROW_FIELDS = ("first_name", "last_name", "email", "country", "postcode")


class PaperRowForm(forms.Form):
    campaign = forms.ModelChoiceField(queryset=Campaign.objects.exclude(status=Campaign.Status.DRAFT), label=_("Campaign"))
    sheet_reference = forms.CharField(
        max_length=100, label=_("Sheet reference"), help_text=_("As written on the sheet, e.g. the stall and date.")
    )
    first_name = forms.CharField(max_length=200, required=False, label=_("First name"))
    last_name = forms.CharField(max_length=200, required=False, label=_("Last name"))
    email = forms.CharField(max_length=300, required=False, label=_("Email address"))
    contact_consent = forms.BooleanField(required=False, label=_("Box ticked: may be contacted"))
    country = forms.ChoiceField(label=_("Country"))
    postcode = forms.CharField(max_length=50, required=False, label=_("Postcode"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "—")] + list(countries)

    def clean(self):
        cleaned = super().clean()
        campaign = cleaned.get("campaign")
        if campaign is None or "country" not in cleaned:
            return cleaned
        try:
            cleaned["row"] = clean_row(
                {name: cleaned.get(name, "") for name in ROW_FIELDS},
                email_required=False,
                default_language=campaign.language,
                consent_organisations={},
                now=timezone.now(),
            )
        except RowError as error:
            self.add_error(error.field_name if error.field_name in self.fields else None, error.message)
        return cleaned


def paper_entry_view(admin_site, request):
    if not request.user.has_perm(ENTER_PERMISSION):
        raise MissingPermission(ENTER_PERMISSION)
    duplicate = None
    if request.method == "POST":
        form = PaperRowForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            outcome = enter_paper_signature(
                data["campaign"],
                data["row"],
                contact_consent=data["contact_consent"],
                sheet_reference=data["sheet_reference"],
                entered_by=request.user,
            )
            if outcome.signature is not None:
                carried = {
                    "campaign": data["campaign"].pk,
                    "sheet_reference": data["sheet_reference"],
                    "country": data["row"].country,
                    "saved": outcome.signature.pk,
                }
                return HttpResponseRedirect(reverse("admin:signatures_paper_entry") + "?" + urlencode(carried))
            duplicate = outcome.duplicate_of
    else:
        form = PaperRowForm(initial={name: request.GET.get(name, "") for name in ("campaign", "sheet_reference", "country")})
    saved = None
    if request.GET.get("saved", "").isdigit():
        saved = Signature.objects.filter(pk=int(request.GET["saved"]), entered_by=request.user).first()
    carried_sheet = form.data.get("sheet_reference") if form.is_bound else form.initial.get("sheet_reference")
    sheet_rows = (
        Signature.objects.filter(entered_by=request.user, sheet_reference=carried_sheet, source=Signature.Source.PAPER)
        .order_by("-pk")[:20]
        if carried_sheet
        else []
    )
    focus = next((name for name in form.fields if name in form.errors), None)
    if focus is None:
        focus = "first_name" if form.is_bound or form.initial.get("campaign") else "campaign"
    form.fields[focus].widget.attrs["autofocus"] = True
    context = {
        **admin_site.each_context(request),
        "opts": Signature._meta,
        "title": gettext("Enter paper signatures"),
        "form": form,
        "saved": saved,
        "duplicate": duplicate,
        "sheet_rows": sheet_rows,
    }
    return TemplateResponse(request, "admin/signatures/signature/paper_entry.html", context)
