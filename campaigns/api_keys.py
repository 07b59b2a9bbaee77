"""Partners' API keys: shown once when issued, stored only as a SHA-256 hash, revocable.

A key is "pk_" and 32 random bytes (URL-safe base64), so a plain hash is
enough: there is nothing to guess that a slow hash would protect.
"""

import hashlib
import secrets

from django.utils import timezone

from .models import ApiKey, Organisation

KEY_PREFIX = "pk_"
SHOWN_PREFIX_LENGTH = 10


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def issue_key(organisation: Organisation, name: str, created_by=None, key: ApiKey | None = None) -> tuple[ApiKey, str]:
    """A new key for this organisation (or save this unsaved one); the plaintext is returned once, never stored."""
    plaintext = KEY_PREFIX + secrets.token_urlsafe(32)
    key = key or ApiKey(organisation=organisation, name=name)
    key.prefix = plaintext[:SHOWN_PREFIX_LENGTH]
    key.key_hash = hash_key(plaintext)
    key.created_by = created_by
    key.save()
    return key, plaintext


def active_key(plaintext: str) -> ApiKey | None:
    """The unrevoked key with this plaintext, its use noted; None for anything else."""
    if not plaintext.startswith(KEY_PREFIX) or len(plaintext) > 100:
        return None
    key = ApiKey.objects.select_related("organisation").filter(key_hash=hash_key(plaintext)).first()
    if key is None or key.revoked_at is not None:
        return None
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key


def revoke(key_ids) -> int:
    return ApiKey.objects.filter(pk__in=key_ids, revoked_at__isnull=True).update(revoked_at=timezone.now())
