# Per-purpose link tokens (salt and the hash of the old token), the suppression list,
# stopped emails, undeliverable confirmations and duplicates of one mailbox.

import django.db.models.deletion
import signatures.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0004_embed_on_any_site'),
        ('signatures', '0006_forget_address_hashes'),
    ]

    operations = [
        migrations.CreateModel(
            name='Suppression',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('email_canonical', models.CharField(max_length=254, unique=True)),
                ('reason', models.CharField(choices=[('bounce', 'Hard bounce'), ('complaint', 'Spam complaint'), ('rejected', 'Refused by the mail server'), ('manual', 'Added by staff')], max_length=10)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'verbose_name': 'suppressed address',
                'verbose_name_plural': 'suppressed addresses',
            },
        ),
        migrations.RemoveConstraint(
            model_name='signature',
            name='one_signature_per_email_per_campaign',
        ),
        migrations.AddField(
            model_name='signature',
            name='duplicate_of',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='signatures.signature'),
        ),
        migrations.AddField(
            model_name='signature',
            name='emails_stopped_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='signature',
            name='legacy_token_hash',
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name='signature',
            name='link_salt',
            field=models.CharField(default=signatures.models.new_link_salt, editable=False, max_length=32),
        ),
        migrations.AddField(
            model_name='signature',
            name='undeliverable_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddConstraint(
            model_name='signature',
            constraint=models.UniqueConstraint(condition=models.Q(models.Q(('email_canonical', ''), _negated=True), ('duplicate_of__isnull', True)), fields=('campaign', 'email_canonical'), name='one_signature_per_email_per_campaign'),
        ),
        migrations.AddConstraint(
            model_name='suppression',
            constraint=models.CheckConstraint(condition=models.Q(('reason__in', ['bounce', 'complaint', 'rejected', 'manual'])), name='suppression_reason_valid'),
        ),
    ]
