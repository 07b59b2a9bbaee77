"""The personal links in signers' emails, and finding the signature a link points at.

Each link carries a token for one purpose only: confirming, managing the
signature (withdraw and erase), unsubscribing from one organisation, or from
everything. Tokens are derived with HMAC-SHA256 from EMAIL_LINK_KEY over the
purpose, the signature id and the row's random salt, so the database holds
nothing that opens a link. Rows made before this scheme keep the keyed hash of
their old all-purpose token (legacy_token_hash), which still opens the link it
was sent in until that link expires.
"""

import base64
import hashlib
import hmac

from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import translation

from campaigns.models import Campaign
from campaigns.selectors import cached_campaign
from petition.prepared import PreparedStatement

from .models import Signature

CONFIRM = "confirm"
MANAGE = "manage"
UNSUBSCRIBE = "unsubscribe"
UNSUBSCRIBE_ALL = "unsubscribe-all"
PURPOSES = (CONFIRM, MANAGE, UNSUBSCRIBE, UNSUBSCRIBE_ALL)
TOKEN_BYTES = 32


class InvalidToken(Exception):
    """No signature matches the link, or the token is not for this purpose."""


def _keyed(message: str) -> bytes:
    return hmac.new(settings.EMAIL_LINK_KEY.encode(), message.encode(), hashlib.sha256).digest()


def token_for(signature: Signature, purpose: str, organisation_id: int | None = None) -> str:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown link purpose {purpose!r}")
    digest = _keyed(f"{purpose}:{signature.pk}:{organisation_id or ''}:{signature.link_salt}")
    return base64.urlsafe_b64encode(digest[:TOKEN_BYTES]).decode("ascii").rstrip("=")


def legacy_token_hash(token: str) -> str:
    """The keyed hash stored for a token of the old all-purpose scheme."""
    return _keyed(f"legacy-token:{token}").hex()


def token_matches(signature: Signature, token: str, purpose: str, organisation_id: int | None = None) -> bool:
    expected = token_for(signature, purpose, organisation_id)
    if hmac.compare_digest(expected.encode(), token.encode("utf-8", "replace")):
        return True
    if signature.legacy_token_hash:
        return hmac.compare_digest(signature.legacy_token_hash.encode(), legacy_token_hash(token).encode())
    return False


def find_by_token(signature_id: int, token: str, purpose: str, organisation_id: int | None = None) -> Signature:
    """The signature a link points at, when the token is the one for this purpose."""
    signature = Signature.objects.select_related("campaign").filter(pk=signature_id).first()
    if signature is None or not token_matches(signature, token, purpose, organisation_id):
        raise InvalidToken
    return signature


# What the confirm step reads of a signature, written out rather than built by
# the ORM: every confirmation runs it twice (the button page, then its POST),
# and compiling the query cost the ORM ten times what PostgreSQL spends on it.
# In the model's field order, as Model.from_db expects them.
TO_CONFIRM_COLUMNS = ("id", "campaign_id", "status", "link_salt", "legacy_token_hash")
TO_CONFIRM = PreparedStatement(
    "signature_to_confirm",
    f"SELECT s.id, s.campaign_id, s.status, s.link_salt, s.legacy_token_hash, c.slug"
    f" FROM {Signature._meta.db_table} s JOIN {Campaign._meta.db_table} c ON c.id = s.campaign_id"
    f" WHERE s.id = %s",
)
# Ids are bigint; a larger number from a URL would make PostgreSQL compare as
# numeric, which no index answers.
LARGEST_ID = 2**63 - 1


def find_to_confirm(signature_id: int, token: str) -> Signature:
    """The signature a confirmation link points at, loaded with only what confirming reads.

    The campaign comes from the cache (campaigns.selectors.cached_campaign).
    The signature's other fields are deferred: reading one costs a query.
    """
    if not 0 < signature_id <= LARGEST_ID:
        raise InvalidToken
    with connection.cursor() as cursor:
        TO_CONFIRM.execute(cursor, [signature_id])
        row = cursor.fetchone()
    if row is None:
        raise InvalidToken
    signature = Signature.from_db(connection.alias, TO_CONFIRM_COLUMNS, row[:-1])
    if not token_matches(signature, token, CONFIRM):
        raise InvalidToken
    signature.campaign = cached_campaign(row[-1])
    return signature


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path


URL_NAMES = {
    CONFIRM: "signatures:confirm",
    MANAGE: "signatures:withdraw",
    UNSUBSCRIBE: "signatures:unsubscribe",
    UNSUBSCRIBE_ALL: "signatures:unsubscribe_all",
}
# What LinkPaths has reverse() put where a signer's values go: digits, as the
# int converters accept nothing else, and numbers no path holds otherwise
# (path_format checks each comes out exactly once).
STAND_INS = {"pk": "7301948265", "token": "7301948266", "organisation_id": "7301948267"}


def path_format(purpose: str, language: str) -> str:
    """The path reverse() gives a link of this purpose in this language, as a str.format() template of pk, token, organisation_id."""
    stand_ins = {key: value for key, value in STAND_INS.items() if key != "organisation_id" or purpose == UNSUBSCRIBE}
    with translation.override(language):
        template = reverse(URL_NAMES[purpose], kwargs=stand_ins).replace("{", "{{").replace("}", "}}")
    for key, stand_in in stand_ins.items():
        if template.count(stand_in) != 1:
            raise ValueError(f"the {purpose} path in {language!r} cannot be made into a template")
        template = template.replace(stand_in, "{" + key + "}")
    return template


class LinkPaths:
    """The paths link_path gives, for many signers at a time.

    reverse() under each signer's language was an eighth of an outbox email's
    CPU: here it runs once per (purpose, language) and every signer's id and
    token are filled into what it returned. Tokens are URL-safe base64 and ids
    digits, which reverse() would have left as they are. Lives for one batch
    (owed_emails.Composer), so a changed URL configuration or script prefix is
    picked up by the next.
    """

    def __init__(self):
        self.formats: dict[tuple, str] = {}

    def path(self, signature: Signature, purpose: str, organisation_id: int | None = None) -> str:
        language = signature.language or settings.LANGUAGE_CODE
        template = self.formats.get((purpose, language))
        if template is None:
            template = self.formats[(purpose, language)] = path_format(purpose, language)
        token = token_for(signature, purpose, organisation_id)
        return template.format(pk=signature.pk, token=token, organisation_id=organisation_id)

    def url(self, signature: Signature, purpose: str, organisation_id: int | None = None) -> str:
        return absolute_url(self.path(signature, purpose, organisation_id))


def link_path(signature: Signature, purpose: str, organisation_id: int | None = None) -> str:
    """The path of one link of this purpose (URL_NAMES) for this signer, in the signer's language."""
    kwargs = {"pk": signature.pk, "token": token_for(signature, purpose, organisation_id)}
    if purpose == UNSUBSCRIBE:
        kwargs["organisation_id"] = organisation_id
    with translation.override(signature.language or settings.LANGUAGE_CODE):
        return reverse(URL_NAMES[purpose], kwargs=kwargs)


def confirm_path(signature: Signature) -> str:
    return link_path(signature, CONFIRM)


def manage_path(signature: Signature) -> str:
    return link_path(signature, MANAGE)


def unsubscribe_path(signature: Signature, organisation_id: int | None = None) -> str:
    if organisation_id is None:
        return link_path(signature, UNSUBSCRIBE_ALL)
    return link_path(signature, UNSUBSCRIBE, organisation_id)


def confirm_url(signature: Signature) -> str:
    return absolute_url(confirm_path(signature))


def manage_url(signature: Signature) -> str:
    """The page where the signer withdraws the signature and has their data erased."""
    return absolute_url(manage_path(signature))


def unsubscribe_url(signature: Signature, organisation=None) -> str:
    """One organisation's emails (an Organisation or its id), or with None every non-essential email."""
    organisation_id = getattr(organisation, "pk", organisation)
    return absolute_url(unsubscribe_path(signature, organisation_id))


def list_unsubscribe_headers(signature: Signature, organisation=None) -> dict:
    """RFC 2369 and RFC 8058 one-click headers: a mailbox's Unsubscribe button stops emails, nothing else."""
    return one_click_headers(unsubscribe_url(signature, organisation))


def one_click_headers(url: str) -> dict:
    """The same headers for an unsubscribe URL the caller already has."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
