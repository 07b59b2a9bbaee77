"""Each signature is written three times (signed, email marked sent, confirmed), each write to every index on the table.

So an index an online signer does not need must not get an entry for them,
and the lookups those indexes serve must still find them.
"""

import pytest
from django.db import connection

from signatures.models import Signature
from tests.factories import make_campaign, make_organisation, make_signature, make_staff
from tests.query_plans import plan_without_table_scans

pytestmark = pytest.mark.django_db


def index_definitions() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [Signature._meta.db_table])
        return dict(cursor.fetchall())


def test_no_index_on_the_campaign_alone_and_the_organisation_indexes_are_partial():
    definitions = index_definitions()
    columns_alone = {
        name for name, definition in definitions.items() if definition.endswith("(campaign_id)") and "WHERE" not in definition
    }
    assert columns_alone == set()
    for name, column in [("sig_partner", "partner_id"), ("sig_entered_by", "entered_by_id"), ("sig_vouched_by", "vouched_by_id")]:
        assert definitions[name].endswith(f"WHERE ({column} IS NOT NULL)"), definitions[name]
        # Nothing left of the full index Django made for the foreign key.
        assert not [other for other, definition in definitions.items() if other != name and f"({column})" in definition]


def test_lookups_by_campaign_partner_and_staff_member_still_use_an_index():
    partner = make_organisation()
    campaign = make_campaign()
    staff = make_staff()
    make_signature(campaign, partner=partner, entered_by=staff, vouched_by=partner)
    make_signature(campaign)
    assert "sig_partner" in plan_without_table_scans(Signature.objects.filter(partner=partner))
    assert "sig_entered_by" in plan_without_table_scans(Signature.objects.filter(entered_by=staff))
    assert "sig_vouched_by" in plan_without_table_scans(Signature.objects.filter(vouched_by=partner))
    # What deleting an organisation or a user asks (on_delete), and what the admin's partner filter asks.
    assert "sig_partner" in plan_without_table_scans(Signature.objects.filter(partner_id__in=[partner.pk]))
    by_campaign = plan_without_table_scans(Signature.objects.filter(campaign=campaign))
    assert "Index" in by_campaign and "Seq Scan" not in by_campaign
    assert Signature.objects.filter(partner=partner).count() == 1
    assert Signature.objects.filter(entered_by=staff, vouched_by=partner).count() == 1


def test_an_online_signer_adds_no_entry_to_the_organisation_indexes():
    campaign = make_campaign()
    for number in range(20):
        make_signature(campaign, email=f"signer{number}@example.org")
    with connection.cursor() as cursor:
        cursor.execute(f'ANALYZE "{Signature._meta.db_table}"')
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN ('sig_partner', 'sig_entered_by', 'sig_vouched_by')"
        )
        entries = dict(cursor.fetchall())
    assert entries == {"sig_partner": 0, "sig_entered_by": 0, "sig_vouched_by": 0}
