"""What staff type into an update: checked so that what signers receive is exactly what was meant."""

import re

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from campaigns.models import Update, UpdateText

from ..invisible import invisible_characters

HTML_TAG = re.compile(r"<\s*/?\s*[A-Za-z!?]|&#?\w+;")
MAX_BODY = 20_000
MARKDOWN_HINT = _("Use the Markdown subset instead: **bold**, *italic*, [text](https://…), '- ' lists, '## ' headings.")


class UpdateForm(forms.ModelForm):
    countries = forms.MultipleChoiceField(
        label=_("Only signers from"), choices=countries, required=False,
        help_text=_("Leave empty for every country."), widget=forms.SelectMultiple(attrs={"size": 6}),
    )  # fmt: skip
    languages = forms.MultipleChoiceField(
        label=_("Only signers with the language"), choices=settings.LANGUAGES, required=False,
        help_text=_("Leave empty for every language."), widget=forms.SelectMultiple(attrs={"size": 6}),
    )  # fmt: skip

    class Meta:
        model = Update
        fields = ["campaign", "organisation", "sender_name", "fallback_language", "countries", "languages"]

    def clean_sender_name(self) -> str:
        value = " ".join(self.cleaned_data["sender_name"].split())
        if not value:
            raise forms.ValidationError(_("Give the name signers see as the sender."), code="required")
        if invisible_characters(value, allow_newlines=False) or HTML_TAG.search(value):
            raise forms.ValidationError(_("The sender name may hold neither markup nor control characters."))
        return value

    def clean(self):
        cleaned = super().clean()
        campaign, organisation = cleaned.get("campaign"), cleaned.get("organisation")
        if campaign and organisation:
            is_lead = campaign.lead_organisation_id == organisation.pk
            if not is_lead and not campaign.partners.filter(pk=organisation.pk).exists():
                self.add_error(
                    "organisation",
                    _("%(organisation)s is neither the lead nor a partner of %(campaign)s: its signers never "
                      "agreed to hear from it.") % {"organisation": organisation, "campaign": campaign},
                )  # fmt: skip
        return cleaned


class UpdateTextForm(forms.ModelForm):
    class Meta:
        model = UpdateText
        fields = ["language", "subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14, "cols": 80})}
        error_messages = {
            "subject": {"required": _("Write a subject.")},
            "body": {"required": _("Write the text in this language, or remove this language.")},
        }

    def clean_subject(self) -> str:
        value = self.cleaned_data["subject"].strip()
        if not value:
            raise forms.ValidationError(_("Write a subject."), code="required")
        if invisible_characters(value, allow_newlines=False):
            raise forms.ValidationError(_("The subject may hold no line breaks or control characters."))
        if HTML_TAG.search(value):
            raise forms.ValidationError(_("The subject is plain text: no HTML."))
        return value

    def clean_body(self) -> str:
        value = self.cleaned_data["body"].replace("\r\n", "\n").strip()
        if not value:
            raise forms.ValidationError(_("Write the text in this language, or remove this language."), code="required")
        if len(value) > MAX_BODY:
            raise forms.ValidationError(
                _("At most %(limit)s characters; this text has %(length)s.") % {"limit": MAX_BODY, "length": len(value)}
            )
        if HTML_TAG.search(value):
            raise forms.ValidationError(_("HTML is not allowed in the text. %(hint)s") % {"hint": MARKDOWN_HINT})
        if invisible_characters(value, allow_newlines=True):
            raise forms.ValidationError(_("The text holds control or direction-changing characters; remove them."))
        return value


class UpdateTextFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        languages = []
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            language = form.cleaned_data["language"]
            if language in languages:
                raise forms.ValidationError(_("Each language may have one text only."))
            languages.append(language)
        fallback = self.instance.fallback_language
        if fallback and fallback not in languages:
            raise forms.ValidationError(
                _("Write a text in the fallback language (%(language)s): signers whose language has no text get it.")
                % {"language": dict(settings.LANGUAGES).get(fallback, fallback)}
            )


class SendForm(forms.Form):
    send_at = forms.DateTimeField(
        label=_("Send at"), required=False,
        help_text=_("Leave empty to send now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )  # fmt: skip

    def clean_send_at(self):
        value = self.cleaned_data["send_at"]
        if value is not None and value <= timezone.now():
            raise forms.ValidationError(_("That time has passed; choose a time in the future, or leave it empty."))
        return value
