"""Who is calling: an organisation's API key in "Authorization: Bearer pk_…"."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from campaigns.api_keys import active_key


class ApiKeyUser:
    """The caller: an organisation through one of its keys (never a staff login)."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, api_key):
        self.api_key = api_key
        self.organisation = api_key.organisation


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        scheme, _sep, plaintext = header.partition(" ")
        if scheme != self.keyword or not plaintext.strip():
            return None
        key = active_key(plaintext.strip())
        if key is None:
            raise exceptions.AuthenticationFailed(_("This API key is unknown or has been revoked."))
        return ApiKeyUser(key), key

    def authenticate_header(self, request):
        return self.keyword


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "signatures.partner_api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "An organisation's API key (pk_…)."}
