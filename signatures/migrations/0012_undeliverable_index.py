# The dashboard counts undeliverable confirmations per campaign from this small partial index.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0004_embed_on_any_site'),
        ('signatures', '0011_outbox_retry_backoff'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='signature',
            index=models.Index(condition=models.Q(('undeliverable_at__isnull', False)), fields=['campaign'], name='sig_undeliverable'),
        ),
    ]
