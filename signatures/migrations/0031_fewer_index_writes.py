# Every signature is written three times (signed, its email marked sent,
# confirmed), and each write adds an entry to every index. The campaign's own
# index repeated the leading column of indexes that lead with the campaign;
# partner, entered_by and vouched_by are empty for most signers, so their
# indexes now hold only the rows that name one.
#
# Only the indexes change: Django's AlterField would also drop and re-add each
# foreign key, which checks every row while writes wait.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


# The names Django gave these foreign keys' indexes when it created them.
FOREIGN_KEY_INDEXES = [
    ("signatures_signature_campaign_id_35634619", "campaign_id"),
    ("signatures_signature_entered_by_id_57f96113", "entered_by_id"),
    ("signatures_signature_partner_id_1033bc7b", "partner_id"),
    ("signatures_signature_vouched_by_id_111d4765", "vouched_by_id"),
]


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0021_webhook_help_text'),
        ('signatures', '0030_intake'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='signature',
                    name='campaign',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='signatures', to='campaigns.campaign'),
                ),
                migrations.AlterField(
                    model_name='signature',
                    name='entered_by',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='signature',
                    name='partner',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='referred_signatures', to='campaigns.organisation'),
                ),
                migrations.AlterField(
                    model_name='signature',
                    name='vouched_by',
                    field=models.ForeignKey(blank=True, db_index=False, help_text='The partner that declared this signer confirmed by double opt-in.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='campaigns.organisation'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"', reverse_sql=f'CREATE INDEX "{name}" ON "signatures_signature" ("{column}")'
                )
                for name, column in FOREIGN_KEY_INDEXES
            ],
        ),
        migrations.AddIndex(
            model_name='signature',
            index=models.Index(condition=models.Q(('partner__isnull', False)), fields=['partner'], name='sig_partner'),
        ),
        migrations.AddIndex(
            model_name='signature',
            index=models.Index(condition=models.Q(('entered_by__isnull', False)), fields=['entered_by'], name='sig_entered_by'),
        ),
        migrations.AddIndex(
            model_name='signature',
            index=models.Index(condition=models.Q(('vouched_by__isnull', False)), fields=['vouched_by'], name='sig_vouched_by'),
        ),
    ]
