"""The personal links in signers' emails, and finding the signature a link points at."""

import hmac

from django.conf import settings
from django.urls import reverse

from .models import Signature


class InvalidToken(Exception):
    """No signature matches the link."""


def find_by_token(signature_id: int, token: str) -> Signature:
    """The signature a link points at; tokens are compared in constant time."""
    signature = Signature.objects.select_related("campaign").filter(pk=signature_id).first()
    if signature is None or not hmac.compare_digest(signature.token.encode(), token.encode()):
        raise InvalidToken
    return signature


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path


def confirm_path(signature: Signature) -> str:
    return reverse("signatures:confirm", kwargs={"pk": signature.pk, "token": signature.token})


def withdraw_path(signature: Signature) -> str:
    return reverse("signatures:withdraw", kwargs={"pk": signature.pk, "token": signature.token})


def unsubscribe_path(signature: Signature, organisation_id: int) -> str:
    return reverse(
        "signatures:unsubscribe",
        kwargs={"pk": signature.pk, "token": signature.token, "organisation_id": organisation_id},
    )
