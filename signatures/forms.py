import functools

from disposable_email_domains import blocklist
from django import forms
from django.conf import settings
from django.core.validators import EmailValidator
from django.forms.utils import flatatt
from django.utils.choices import BaseChoiceIterator
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext_lazy, override
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_recaptcha.fields import ReCaptchaField
from django_recaptcha.widgets import ReCaptchaV2Checkbox, ReCaptchaV3

from petition.attribution import clean_attribution

from . import names, postcodes
from .emailaddr import UndeliverableAddress, deliverable_address, email_domain, is_internet_domain

MAX_NAME_LENGTH = 100
MAX_EMAIL_LENGTH = 254
EMAIL_VALIDATOR = EmailValidator()
# "=?" starts an RFC 2047 encoded word. The validator lets it through (both are
# allowed in a local part), but the mail backend (Django's sanitize_address)
# decodes one: "=?utf-8?q?marie?=@example.org" was stored as an address of its
# own and its email went to marie@example.org, so one mailbox could sign a
# campaign again under every encoding of its name, and past the suppression list.
# The parser decodes unterminated and malformed ones too, so any "=?" in the
# local part is refused (tests/signatures/test_sign_form_inputs.py).
ENCODED_WORD_START = "=?"


def validate_person_name(value: str) -> str:
    raw = value.strip()
    if len(raw) > MAX_NAME_LENGTH:
        raise forms.ValidationError(
            ngettext_lazy(
                "Please use at most %(max)d character (you typed %(length)d).",
                "Please use at most %(max)d characters (you typed %(length)d).",
                "max",
            ),
            params={"max": MAX_NAME_LENGTH, "length": len(raw)},
            code="max_length",
        )
    if names.forbidden_characters(raw):
        raise forms.ValidationError(
            _("Please use only letters, spaces, hyphens and apostrophes: no symbols, emoji or hidden characters."),
            code="characters",
        )
    if names.contains_url(raw):
        raise forms.ValidationError(_("Please enter your name, not a web address."), code="url")
    name = names.normalise_name(raw)
    if not names.has_letter(name):
        raise forms.ValidationError(_("Please write the name in letters."), code="no_letters")
    return name


class PlainSelect(forms.Select):
    """A select whose options are written out in Python.

    The country list has some 250 options, and rendering a template for each
    was most of the cost of drawing the petition page.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], mark_safe(" selected") if option["selected"] else "", option["label"])
                for _, group, _ in widget["optgroups"]
                for option in group
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options)


@functools.lru_cache(maxsize=64)
def country_choices(language: str) -> tuple[tuple[str, str], ...]:
    """The empty choice, then every country named and sorted in this language."""
    with override(language):
        return (("", gettext("Choose your country")), *((code, str(name)) for code, name in countries))


class CountryChoices(BaseChoiceIterator):
    """The country choices of the active language, built once per language and process.

    A choice iterator is taken by the field as it is: a list would be walked
    and normalised, some 250 entries, for every form built.
    """

    def __iter__(self):
        return iter(country_choices(get_language() or settings.LANGUAGE_CODE))


@functools.cache
def country_codes() -> frozenset[str]:
    return frozenset(code for code, _name in countries)


class CountryField(forms.ChoiceField):
    """A country chosen from CountryChoices, checked against the set of codes.

    ChoiceField checks a value by walking its choices, some 250 translated
    names, on every sign POST.
    """

    def valid_value(self, value):
        return value in country_codes()


class AttributionField(forms.CharField):
    """via, utm_source or utm_campaign from the link: cleaned, never refused, since the signer can neither see nor fix it.

    Cleaning in to_python runs before the validators, so a null character
    from a mangled link is dropped rather than reported.
    """

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        return clean_attribution(super().to_python(value))


class SignatureForm(forms.Form):
    first_name = forms.CharField(
        label=_("First name"),
        error_messages={"required": _("Please enter your first name.")},
        widget=forms.TextInput(attrs={"autocomplete": "given-name", "maxlength": MAX_NAME_LENGTH}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        error_messages={"required": _("Please enter your last name.")},
        widget=forms.TextInput(attrs={"autocomplete": "family-name", "maxlength": MAX_NAME_LENGTH}),
    )
    email = forms.CharField(
        label=_("Email address"),
        help_text=_("We will send you a link to confirm your signature."),
        error_messages={"required": _("Please enter your email address.")},
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "spellcheck": "false", "maxlength": MAX_EMAIL_LENGTH}
        ),
    )
    country = CountryField(
        label=_("Country"),
        choices=CountryChoices(),
        widget=PlainSelect(attrs={"autocomplete": "country"}),
        error_messages={
            "required": _("Please choose your country."),
            "invalid_choice": _("Please choose your country from the list."),
        },
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        help_text=_("Needed for countries that use postcodes."),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    # Consent to be contacted by the campaign's lead organisation (or, for a
    # campaign without one, about this campaign). The referring partner gets a
    # checkbox of its own, added in __init__. Both start unticked.
    contact_consent = forms.BooleanField(
        label=_("Keep me informed about this campaign by email."),
        required=False,
    )
    accept_privacy = forms.BooleanField(
        label=_("I have read the privacy notice and agree that my signature is processed as it describes."),
        error_messages={"required": _("Please accept the privacy notice to sign.")},
    )
    # Attribution carried from the petition link through the POST.
    via = AttributionField()
    utm_source = AttributionField()
    utm_campaign = AttributionField()
    # Honeypot: hidden from people, filled in by naive bots.
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)

    def __init__(self, *args, campaign=None, partner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lead_organisation = campaign.lead_organisation if campaign else None
        self.partner = partner if partner and partner != self.lead_organisation else None
        if self.lead_organisation:
            self.fields["contact_consent"].label = lead_consent_text(self.lead_organisation)
        if self.partner:
            self.fields["partner_consent"] = forms.BooleanField(
                label=partner_consent_text(self.partner), required=False
            )
        chosen_country = self.data.get("country") if self.is_bound else self.initial.get("country")
        self.fields["postcode"].help_text = postcode_hint(chosen_country or "")
        if settings.RECAPTCHA_ENABLED:
            self.fields["captcha"] = make_captcha_field()

    def consents(self) -> list:
        """(organisation, exact words shown) for each organisation the signer agreed to hear from."""
        given = []
        if self.lead_organisation and self.cleaned_data.get("contact_consent"):
            given.append((self.lead_organisation, str(self.fields["contact_consent"].label)))
        if self.partner and self.cleaned_data.get("partner_consent"):
            given.append((self.partner, str(self.fields["partner_consent"].label)))
        return given

    def full_clean(self):
        super().full_clean()
        # Tie each error to its input for screen readers, and put the cursor
        # on the first field to fix, with or without JavaScript.
        first = True
        for name in self.fields:
            if name in self.errors:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                described_by = [f"id_{name}_error"]
                if self.fields[name].help_text:
                    described_by.append(f"id_{name}_helptext")
                attrs["aria-describedby"] = " ".join(described_by)
                if first:
                    attrs["autofocus"] = True
                    first = False

    def postcode_hints(self) -> dict[str, str]:
        """The hint per country with a known format ("" for the rest), for the page to show as the country changes."""
        return {"": postcode_hint(""), **{country: postcode_hint(country) for country in postcodes.POSTCODE_FORMATS}}

    @property
    def has_captcha(self) -> bool:
        return "captcha" in self.fields

    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    def clean_first_name(self):
        return validate_person_name(self.cleaned_data["first_name"])

    def clean_last_name(self):
        return validate_person_name(self.cleaned_data["last_name"])

    def clean_email(self):
        return validate_email_address(self.cleaned_data["email"])

    def clean_postcode(self):
        return validate_postcode_length(self.cleaned_data["postcode"])

    def clean(self):
        cleaned = super().clean()
        country = cleaned.get("country")
        if country and "postcode" not in self.errors:
            try:
                validate_postcode_for_country(country, cleaned.get("postcode", ""))
            except forms.ValidationError as error:
                self.add_error("postcode", error)
        return cleaned


def validate_email_address(value: str) -> str:
    """The rules every email address meets, whoever types it: the form, the API, imports, paper entry."""
    value = value.strip()
    if len(value) > MAX_EMAIL_LENGTH:
        raise forms.ValidationError(
            ngettext_lazy(
                "An email address has at most %(max)d character.",
                "An email address has at most %(max)d characters.",
                "max",
            ),
            params={"max": MAX_EMAIL_LENGTH},
            code="max_length",
        )
    try:
        # Checked in the form mail delivery will use: invisible and look-alike characters are
        # gone from the domain and an international one is in its ASCII form.
        deliverable = deliverable_address(value)
        if not is_internet_domain(deliverable.rpartition("@")[2]):
            raise UndeliverableAddress
    except UndeliverableAddress:
        raise forms.ValidationError(
            _(
                "The part after the @ cannot be used for email: check it for stray or look-alike characters, "
                "like name@example.org."
            ),
            code="domain",
        ) from None
    try:
        EMAIL_VALIDATOR(deliverable)
        if ENCODED_WORD_START in deliverable.rpartition("@")[0]:
            raise forms.ValidationError("encoded word")
    except forms.ValidationError:
        raise forms.ValidationError(
            _("Please enter a complete email address, like name@example.org."), code="invalid"
        ) from None
    if is_disposable(email_domain(value)):
        raise forms.ValidationError(
            _("Please use a permanent email address: we cannot accept disposable addresses."), code="disposable"
        )
    return value


def validate_postcode_length(value: str) -> str:
    value = postcodes.normalise_postcode(value)
    if len(value) > postcodes.MAX_LENGTH:
        raise forms.ValidationError(
            ngettext_lazy(
                "A postcode has at most %(max)d character.", "A postcode has at most %(max)d characters.", "max"
            ),
            params={"max": postcodes.MAX_LENGTH},
            code="max_length",
        )
    return value


def validate_postcode_for_country(country: str, postcode: str) -> None:
    """A normalised postcode against the country's format: required where the country has one."""
    if postcode and not postcodes.is_valid_postcode(country, postcode):
        example = postcodes.example_postcode(country)
        if example:
            message = _("This postcode does not look right for the country you chose (for example %(example)s).")
            raise forms.ValidationError(message, params={"example": example}, code="format")
        message = ngettext_lazy(
            "Please use only letters, digits, spaces and hyphens (at most %(max)d character).",
            "Please use only letters, digits, spaces and hyphens (at most %(max)d characters).",
            "max",
        )
        raise forms.ValidationError(message, params={"max": postcodes.MAX_LENGTH}, code="format")
    if not postcode and postcodes.has_known_format(country):
        raise forms.ValidationError(_("Please enter your postcode."), code="required")


def lead_consent_text(organisation) -> str:
    return gettext(
        "Keep me informed by email: %(organisation)s may contact me about this campaign and its work."
    ) % {"organisation": organisation.name}


def partner_consent_text(organisation) -> str:
    return gettext(
        "Keep me informed by email: %(organisation)s, who shared this petition with me, may contact me about its work."
    ) % {"organisation": organisation.name}


def postcode_hint(country: str) -> str:
    """The chosen country's postcode format, else when a postcode is needed at all."""
    example = postcodes.example_postcode(country)
    if example:
        return gettext("For example: %(example)s") % {"example": example}
    return gettext("Needed for countries that use postcodes.")


def is_disposable(domain: str) -> bool:
    """A throwaway mailbox: on the maintained list or added in settings, and not allowed in settings.

    A subdomain counts as its parent (a@sub.mailinator.com is mailinator's);
    the most specific name that either list mentions decides.
    """
    if not settings.REJECT_DISPOSABLE_EMAILS:
        return False
    labels = domain.lower().rstrip(".").split(".")
    for start in range(len(labels) - 1):
        candidate = ".".join(labels[start:])
        if candidate in settings.DISPOSABLE_EMAIL_DOMAINS_ALLOWED:
            return False
        if candidate in blocklist or candidate in settings.DISPOSABLE_EMAIL_DOMAINS_EXTRA:
            return True
    return False


def make_captcha_field():
    if settings.RECAPTCHA_VERSION == "v2":
        return ReCaptchaField(label=_("Please confirm you are a person"), widget=ReCaptchaV2Checkbox())
    return ReCaptchaField(
        label="", widget=ReCaptchaV3(action="sign", required_score=settings.RECAPTCHA_REQUIRED_SCORE)
    )
