"""Canonical addresses with the domain as mail delivery sees it; rows that were one mailbox become duplicates."""

from django.db import migrations

from signatures.mailboxes import recompute_canonical_addresses


def forwards(apps, schema_editor):
    recompute_canonical_addresses(apps.get_model("signatures", "Signature"), apps.get_model("signatures", "AuditEntry"))


class Migration(migrations.Migration):
    dependencies = [("signatures", "0009_drop_plain_tokens")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)]
