"""The confirm step reads the signature once per request and the campaign, its partners and share links from the cache."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from campaigns import services as campaign_services
from petition.prepared import written_out
from signatures.models import Signature, WebhookEvent
from tests.factories import confirm_token, make_campaign, make_consent, make_organisation, make_signature, make_staff

pytestmark = pytest.mark.django_db


def confirm_url(signature, language="en"):
    with translation.override(language):
        return reverse("signatures:confirm", kwargs={"pk": signature.pk, "token": confirm_token(signature)})


def statements(queries: CaptureQueriesContext) -> list[str]:
    """What the request sent, prepared statements written out, without the savepoints of the test's own transaction."""
    return [
        written_out(q["sql"])
        for q in queries.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


def reads_of_the_token_columns(sql: list[str]) -> int:
    return sum(1 for statement in sql if statement.startswith("SELECT") and "link_salt" in statement)


def reads_of_campaign_tables(sql: list[str]) -> list[str]:
    """Statements that load a campaign, an organisation or a partner list (not a join on the campaign's id)."""
    return [
        statement for statement in sql if statement.startswith("SELECT") and re.search(r'FROM "?campaigns_', statement)
    ]


@pytest.fixture
def campaign():
    campaign = make_campaign(lead_organisation=make_organisation(name="Lead"))
    campaign.partners.add(make_organisation(name="Partner"))
    return campaign


def press_the_button(client, url):
    return client.post(url, HTTP_SEC_FETCH_SITE="same-origin")


def test_opening_the_link_is_one_query(client, campaign):
    press_the_button(client, confirm_url(make_signature(campaign)))  # fills the cache
    url = confirm_url(make_signature(campaign))

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert response.status_code == 200 and "Confirm my signature" in response.text
    assert len(statements(queries)) == 1
    assert reads_of_the_token_columns(statements(queries)) == 1


def test_pressing_the_button_checks_the_token_once_and_reads_no_campaign_row(
    client, campaign, django_capture_on_commit_callbacks
):
    press_the_button(client, confirm_url(make_signature(campaign)))  # fills the cache
    url = confirm_url(make_signature(campaign))

    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=False):
        response = press_the_button(client, url)

    assert "your signature is confirmed" in response.text
    assert "Partner" in response.text and "Lead" in response.text
    sql = statements(queries)
    # The token check, and the conditional UPDATE that also reads the count and asks whether a webhook is owed.
    assert len(sql) == 2, sql
    assert reads_of_the_token_columns(sql) == 1
    assert reads_of_campaign_tables(sql) == []
    # No transaction of its own (under the test's, it would show as a savepoint): the UPDATE is the whole change.
    assert not any(q["sql"].startswith("SAVEPOINT") for q in queries.captured_queries), queries.captured_queries


def test_a_signer_owed_webhook_events_is_confirmed_in_one_transaction_with_them(
    client, campaign, django_capture_on_commit_callbacks
):
    crm = make_organisation(name="CRM", webhook_url="https://crm.example.org/hook")
    signers = [make_signature(campaign) for _ in range(3)]
    for signer in signers:
        make_consent(signer, crm)
    # Two before it, so its statements run prepared (petition.prepared) whatever ran earlier on the connection.
    with django_capture_on_commit_callbacks(execute=False):
        for earlier in signers[:2]:
            assert "your signature is confirmed" in press_the_button(client, confirm_url(earlier)).text
    signature = signers[2]

    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=False):
        response = press_the_button(client, confirm_url(signature))

    assert "your signature is confirmed" in response.text
    assert WebhookEvent.objects.filter(signature=signature, event_type="signature.confirmed").count() == 1
    assert any(q["sql"].startswith("EXECUTE confirm_signature(") for q in queries.captured_queries)
    sql = [written_out(q["sql"]) for q in queries.captured_queries]
    # The first UPDATE confirms only when no event is owed, and changes nothing here; the second confirms.
    confirming = [i for i, statement in enumerate(sql) if statement.startswith("UPDATE") and "confirmed_at" in statement][-1]
    recording = next(i for i, statement in enumerate(sql) if statement.startswith("INSERT") and "webhookevent" in statement)
    savepoint = sql[confirming - 1]
    assert savepoint.startswith("SAVEPOINT"), sql
    released = sql.index("RELEASE " + savepoint)
    assert confirming < recording < released, sql


def test_a_second_press_reads_as_little(client, campaign):
    url = confirm_url(make_signature(campaign))
    press_the_button(client, url)

    with CaptureQueriesContext(connection) as queries:
        response = press_the_button(client, url)

    assert "already confirmed" in response.text
    # The token check and the count.
    assert len(statements(queries)) <= 2
    assert reads_of_the_token_columns(statements(queries)) == 1


def test_a_campaign_closed_after_it_was_cached_refuses_at_once(client, campaign, settings):
    settings.CONFIRMATION_GRACE_DAYS = 0
    press_the_button(client, confirm_url(make_signature(campaign)))  # cached while open
    signature = make_signature(campaign)

    campaign_services.close_campaign(campaign)

    assert client.get(confirm_url(signature)).status_code == 410
    assert (
        "time for confirming signatures on this petition has ended"
        in press_the_button(client, confirm_url(signature)).text
    )
    assert Signature.objects.get(pk=signature.pk).status == Signature.Status.PENDING


def test_a_partner_renamed_by_staff_is_named_anew_at_once(client, campaign):
    press_the_button(client, confirm_url(make_signature(campaign)))  # caches the partners
    partner = campaign.partners.get(name="Partner")
    staff = client.__class__()
    staff.force_login(make_staff("Campaign managers"))

    staff.post(
        reverse("admin:campaigns_organisation_change", args=[partner.pk]),
        {"name": "Renamed partner", "slug": partner.slug, "website": "", "contact_email": partner.contact_email},
    )

    assert "Renamed partner" in press_the_button(client, confirm_url(make_signature(campaign))).text


def test_the_share_links_follow_the_language_of_the_page(client, campaign):
    english = press_the_button(client, confirm_url(make_signature(campaign), "en")).text
    french = press_the_button(client, confirm_url(make_signature(campaign), "fr")).text

    assert f'value="http://testserver/en/{campaign.slug}/"' in english
    assert f'value="http://testserver/fr/{campaign.slug}/"' in french


@pytest.mark.parametrize("pk", [0, 2**63, 10**40])
def test_an_id_no_signature_can_have_asks_the_database_nothing(client, pk):
    """Beyond bigint, PostgreSQL would compare as numeric and read the whole table."""
    url = f"/en/s/confirm/{pk}/{'A' * 43}/"

    with CaptureQueriesContext(connection) as queries:
        opened = client.get(url)
        pressed = press_the_button(client, url)

    assert opened.status_code == 404 and pressed.status_code == 404
    assert statements(queries) == []


def test_the_largest_id_is_still_looked_up(client):
    url = f"/en/s/confirm/{2**63 - 1}/{'A' * 43}/"

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert response.status_code == 404
    assert reads_of_the_token_columns(statements(queries)) == 1
