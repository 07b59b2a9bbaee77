"""Give every existing row its own link salt, and keep only a keyed hash of its old all-purpose token.

Links already in inboxes carry the old token; signatures.links accepts it
while the link is still valid by comparing its keyed hash, so the plain token
column can go (0009) and a dump of the table opens nothing.
"""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import migrations

BATCH = 2000


def legacy_hash(token: str) -> str:
    # The same as signatures.links.legacy_token_hash, frozen here as migrations must be.
    return hmac.new(settings.EMAIL_LINK_KEY.encode(), f"legacy-token:{token}".encode(), hashlib.sha256).hexdigest()


def hash_tokens(apps, schema_editor):
    Signature = apps.get_model("signatures", "Signature")
    last_id = 0
    while True:
        rows = list(Signature.objects.filter(pk__gt=last_id).order_by("pk").only("pk", "token")[:BATCH])
        if not rows:
            return
        for row in rows:
            row.link_salt = secrets.token_hex(16)
            row.legacy_token_hash = legacy_hash(row.token) if row.token else ""
        Signature.objects.bulk_update(rows, ["link_salt", "legacy_token_hash"])
        last_id = rows[-1].pk


class Migration(migrations.Migration):
    dependencies = [("signatures", "0007_email_links_and_suppression")]

    operations = [migrations.RunPython(hash_tokens, migrations.RunPython.noop, elidable=False)]
