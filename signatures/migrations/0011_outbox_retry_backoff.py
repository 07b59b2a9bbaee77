# Temporary send failures back off per row instead of per Celery retry.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('signatures', '0010_canonical_domains'),
    ]

    operations = [
        migrations.AddField(
            model_name='signature',
            name='email_attempts',
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='signature',
            name='email_not_before',
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
