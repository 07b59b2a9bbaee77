# The readable all-purpose token goes; 0008 kept its keyed hash.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("signatures", "0008_hash_legacy_tokens")]

    operations = [migrations.RemoveField(model_name="signature", name="token")]
