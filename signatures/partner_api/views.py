"""POST /api/campaigns/<slug>/signatures/: a partner records a signature as the petition page would.

An Idempotency-Key header makes retries safe: the first answer is stored
with a hash of the body, a retry with the same body gets it back (with
Idempotent-Replayed: true), and the same key with another body is refused.
"""

import hashlib
import json

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    parser_classes,
    permission_classes,
    throttle_classes,
)
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from campaigns.models import Campaign

from .. import services
from ..forms import SignatureForm
from ..models import ApiRequest, Signature
from . import serializers
from .authentication import ApiKeyAuthentication
from .parsers import SignatureJSONParser
from .throttling import PerKeyThrottle

MAX_IDEMPOTENCY_KEY = 100
BOOLEAN_FIELDS = ("accept_privacy", "contact_consent", "partner_consent")
TEXT_FIELDS = ("first_name", "last_name", "email", "country", "postcode", "utm_source", "utm_campaign")


def form_data(body: dict) -> dict:
    """The JSON body as the sign form's POST data; anything not text or true/false is treated as absent."""
    data = {}
    for name in TEXT_FIELDS:
        value = body.get(name)
        if isinstance(value, str):
            data[name] = value
    for name in BOOLEAN_FIELDS:
        if body.get(name) is True:
            data[name] = "on"
    return data


def signer_language(body: dict, campaign: Campaign) -> str | None:
    language = body.get("language", campaign.language)
    codes = {code for code, _ in settings.LANGUAGES}
    return language if isinstance(language, str) and language in codes else None


def error(status: int, message: str) -> Response:
    return Response({"detail": message}, status=status)


@extend_schema(
    operation_id="create_signature",
    summary="Record a signature collected on a partner's site",
    request=serializers.SignatureRequest,
    parameters=[
        OpenApiParameter(
            "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
            description="Any unique string per signature (at most 100 characters): a retry with it is answered once",
        )
    ],
    responses={
        202: serializers.SignatureAccepted,
        400: OpenApiResponse(
            PolymorphicProxySerializer(
                component_name="BadRequest",
                serializers=[serializers.ValidationErrors, serializers.ErrorMessage],
                resource_type_field_name=None,
            ),
            description="What is wrong, per field; or, when the body is not one JSON object, why not",
        ),
        401: serializers.ErrorMessage,
        403: serializers.ErrorMessage,
        404: serializers.ErrorMessage,
        409: serializers.ErrorMessage,
        422: serializers.ErrorMessage,
        429: serializers.ErrorMessage,
    },
)
@api_view(["POST"])
@authentication_classes([ApiKeyAuthentication])
@parser_classes([SignatureJSONParser])
@permission_classes([IsAuthenticated])
@throttle_classes([PerKeyThrottle])
def create_signature(request, slug: str):
    campaign = Campaign.objects.public().select_related("lead_organisation").filter(slug=slug).first()
    if campaign is None:
        return error(404, gettext("No public campaign has this slug."))
    if not takes_part(campaign, request.user.organisation):
        # A key speaks for its organisation only where that organisation leads or backs the campaign,
        # as a ?via= link does (campaigns.selectors.referring_partner): elsewhere its signers would be
        # credited to it and asked to consent to an organisation the campaign does not name.
        return error(403, gettext("Your organisation is neither the lead nor a partner of this campaign."))
    body = request.data if isinstance(request.data, dict) else None
    if body is None:
        return error(400, gettext("Send one signature as a JSON object."))
    idempotency_key = request.headers.get("Idempotency-Key", "").strip()
    if len(idempotency_key) > MAX_IDEMPOTENCY_KEY:
        return error(400, gettext("The Idempotency-Key is longer than 100 characters."))
    api_key = request.user.api_key
    # The campaign is part of the request: the same key and body for another campaign is another request.
    request_text = json.dumps({"campaign": campaign.pk, "body": body}, sort_keys=True, ensure_ascii=False)
    body_hash = hashlib.sha256(request_text.encode()).hexdigest()
    if idempotency_key:
        earlier = ApiRequest.objects.filter(api_key=api_key, idempotency_key=idempotency_key).first()
        if earlier is not None:
            return replay(earlier, body_hash)
    status, answer = answer_signature(campaign, request.user.organisation, body)
    if not idempotency_key:
        return Response(answer, status=status)
    try:
        with transaction.atomic():
            ApiRequest.objects.create(
                api_key=api_key, idempotency_key=idempotency_key, request_hash=body_hash,
                status_code=status, response=answer,
            )
    except IntegrityError:
        # A concurrent retry got there first; its answer is the one.
        return replay(ApiRequest.objects.get(api_key=api_key, idempotency_key=idempotency_key), body_hash)
    return Response(answer, status=status)


def takes_part(campaign: Campaign, organisation) -> bool:
    return campaign.lead_organisation_id == organisation.pk or campaign.partners.filter(pk=organisation.pk).exists()


def replay(earlier: ApiRequest, body_hash: str) -> Response:
    if earlier.request_hash != body_hash:
        return error(422, gettext("This Idempotency-Key was already used for a different signature."))
    response = Response(earlier.response, status=earlier.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def answer_signature(campaign: Campaign, organisation, body: dict) -> tuple[int, dict]:
    if not campaign.accepts_signatures():
        return 409, {"detail": gettext("This campaign does not take signatures now.")}
    language = signer_language(body, campaign)
    if language is None:
        return 400, {"errors": {"language": [{"message": gettext("Use one of the platform's language codes."),
                                              "code": "invalid_choice"}]}}
    with translation.override(language):
        form = SignatureForm(form_data(body), campaign=campaign, partner=organisation)
        form.fields.pop("captcha", None)
        if not form.is_valid():
            return 400, {"errors": form.errors.get_json_data()}
        data = form.cleaned_data
        services.sign(
            campaign,
            services.SignerDetails(
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                country=data["country"],
                postcode=data["postcode"],
                contact_consent=data["contact_consent"],
                language=language,
                partner=organisation,
                utm_source=data["utm_source"],
                utm_campaign=data["utm_campaign"],
                consents=form.consents(),
                source=Signature.Source.API,
            ),
        )
    return 202, {"status": "received", "campaign": campaign.slug, "next_step": "confirmation_email"}
