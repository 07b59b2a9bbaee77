"""A Redis that allows no scripts (an ACL without EVALSHA): signing reads and counts in separate round trips, and the limits still hold."""

import pytest
from django.urls import reverse

from signatures.models import Signature
from tests.factories import make_campaign, sign_data

pytestmark = pytest.mark.django_db


def test_signing_and_its_limits_work_where_redis_refuses_scripts(redis_server, point_at_redis, settings, client, caplog):
    redis_server.client().execute_command("ACL", "SETUSER", "default", "-eval", "-evalsha")
    point_at_redis(redis_server.url)
    settings.SIGN_RATE_BURST = "2/m"
    campaign = make_campaign()
    url = reverse("signatures:sign", kwargs={"slug": campaign.slug})

    statuses = [client.post(url, sign_data(email=f"s{number}@example.org")).status_code for number in range(4)]

    assert statuses == [302, 302, 429, 429]
    assert Signature.objects.count() == 2
    refusals = [record for record in caplog.records if "refused a script" in record.getMessage()]
    assert len(refusals) == 1  # said once, then the cache reads and counts apart
    assert redis_server.client().keys("*campaign:*"), "the cache itself stayed in use"
