"""What the partner API takes and answers, described for the OpenAPI document.

The checking itself is the sign form's (signatures.forms.SignatureForm), so
the API and the petition page can never disagree on what is valid.
"""

from django.conf import settings
from rest_framework import serializers


class SignatureRequest(serializers.Serializer):
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    email = serializers.CharField(max_length=254)
    country = serializers.CharField(max_length=2, help_text="ISO 3166-1 alpha-2, e.g. DE")
    postcode = serializers.CharField(max_length=16, required=False, help_text="Required where the country has a format")
    language = serializers.ChoiceField(
        choices=[code for code, _ in settings.LANGUAGES],
        required=False,
        help_text="The signer's language: their emails and consent wording are in it",
    )
    accept_privacy = serializers.BooleanField(help_text="The signer accepted the privacy notice; must be true")
    contact_consent = serializers.BooleanField(
        required=False, help_text="The signer ticked the lead organisation's consent box, worded as on the petition page"
    )
    partner_consent = serializers.BooleanField(
        required=False, help_text="The signer ticked your organisation's consent box, worded as on the petition page"
    )
    utm_source = serializers.CharField(max_length=100, required=False)
    utm_campaign = serializers.CharField(max_length=100, required=False)


class SignatureAccepted(serializers.Serializer):
    status = serializers.ChoiceField(choices=["received"])
    campaign = serializers.CharField()
    next_step = serializers.ChoiceField(
        choices=["confirmation_email"],
        help_text="Whether new or already signed, the signer hears from us by email; the answer does not say which",
    )


class FieldError(serializers.Serializer):
    message = serializers.CharField()
    code = serializers.CharField()


class ValidationErrors(serializers.Serializer):
    errors = serializers.DictField(child=FieldError(many=True))


class ErrorMessage(serializers.Serializer):
    detail = serializers.CharField()
