"""The signature changelist: search, filters, no full count, and a query count that does not grow with rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from signatures.admin.paginator import CappedCountPaginator
from signatures.admin.signatures import SignatureAdmin
from signatures.emailaddr import canonical_email
from signatures.models import Signature
from tests.factories import make_campaign, make_organisation, make_signature, make_staff
from tests.query_plans import plan_without_table_scans
from tests.staff import log_in_staff

pytestmark = pytest.mark.django_db

URL = reverse("admin:signatures_signature_changelist")


@pytest.fixture
def moderator_client(client):
    log_in_staff(client, make_staff("Moderators"))
    return client


def add_signatures(campaign, count, start=0, **fields):
    rows = []
    for n in range(start, start + count):
        email = f"person{n}@mail{n % 3}.example"
        rows.append(
            Signature(
                campaign=campaign, first_name="Grace", last_name=f"Hopper{n}", email=email,
                email_canonical=canonical_email(email), country="DE", ip_hash=f"{n % 2:064d}", **fields,
            )
        )  # fmt: skip
    Signature.objects.bulk_create(rows)


def listed_ids(response) -> set[int]:
    return {signature.pk for signature in response.context["cl"].result_list}


QUERIES = [
    {},
    {"q": "hopper1"},
    {"q": "grace hop"},
    {"q": "person3@mail0.example"},
    {"status__exact": "confirmed", "country": "DE"},
    {"confirmed_at__gte": "2000-01-01 00:00:00+00:00"},
    {"signed_within": "day", "email_domain": "mail1.example"},
    {"ip_hash": "0" * 64},
]


@pytest.mark.parametrize("query", QUERIES, ids=lambda query: "&".join(query) or "all")
def test_it_makes_as_many_queries_for_200_rows_as_for_10(moderator_client, query):
    partner = make_organisation()
    campaign = make_campaign()
    add_signatures(campaign, 10, partner=partner, status="confirmed", confirmed_at=timezone.now())
    query = {**query, "campaign__id__exact": campaign.pk, "partner__id__exact": partner.pk}
    moderator_client.get(URL, query)  # warm the session and content type caches
    with CaptureQueriesContext(connection) as few:
        assert moderator_client.get(URL, query).status_code == 200
    add_signatures(campaign, 190, start=10, partner=partner, status="confirmed", confirmed_at=timezone.now())
    with CaptureQueriesContext(connection) as many:
        assert moderator_client.get(URL, query).status_code == 200
    assert len(many) == len(few)


def test_it_never_counts_the_whole_table(moderator_client):
    add_signatures(make_campaign(), 30)
    with CaptureQueriesContext(connection) as queries:
        moderator_client.get(URL)
    counts = [query["sql"] for query in queries if "COUNT(" in query["sql"] and "signatures_signature" in query["sql"]]
    assert counts, "the changelist counts its rows somewhere"
    assert all("LIMIT 10001" in sql for sql in counts)


def test_past_the_cap_it_says_more_than_and_still_pages(moderator_client, monkeypatch):
    monkeypatch.setattr(CappedCountPaginator, "CAP", 5)
    monkeypatch.setattr(SignatureAdmin, "list_per_page", 2)
    add_signatures(make_campaign(), 12)
    response = moderator_client.get(URL, {"p": "2"})
    page = response.content.decode()
    assert "More than 5 signatures" in page
    assert len(response.context["cl"].result_list) == 2
    assert "Select all 6" not in page


def test_it_finds_a_signature_by_any_spelling_of_its_address(moderator_client):
    campaign = make_campaign()
    wanted = make_signature(campaign, email="Ada.Lovelace+petition@GoogleMail.com")
    make_signature(campaign, email="ada.lovelace@example.org")
    for term in ["Ada.Lovelace+petition@GoogleMail.com", "adalovelace@gmail.com", " ADA.LOVELACE@gmail.com "]:
        assert listed_ids(moderator_client.get(URL, {"q": term})) == {wanted.pk}, term


def test_it_finds_names_by_case_insensitive_last_name_prefix_or_first_then_last(moderator_client):
    campaign = make_campaign()
    lovelace = make_signature(campaign, first_name="Ada", last_name="Lovelace")
    byron = make_signature(campaign, first_name="Ada", last_name="Byron")
    van_der = make_signature(campaign, first_name="Jan", last_name="van der Berg")
    make_signature(campaign, first_name="Grace", last_name="Hopper")
    assert listed_ids(moderator_client.get(URL, {"q": "lovel"})) == {lovelace.pk}
    assert listed_ids(moderator_client.get(URL, {"q": "ada b"})) == {byron.pk}
    assert listed_ids(moderator_client.get(URL, {"q": "van der"})) == {van_der.pk}
    assert listed_ids(moderator_client.get(URL, {"q": "Ada"})) == set()
    assert listed_ids(moderator_client.get(URL, {"q": str(byron.pk)})) == {byron.pk}


def test_the_filters_narrow_the_list(moderator_client):
    partner = make_organisation()
    campaign, other = make_campaign(), make_campaign()
    confirmed_fr = make_signature(campaign, status="confirmed", country="FR", partner=partner, email="a@one.example")
    pending_de = make_signature(campaign, ip_hash="f" * 64, email="b@two.example")
    old = make_signature(campaign, email="c@two.example")
    Signature.objects.filter(pk=old.pk).update(created_at=timezone.now() - timezone.timedelta(days=3))
    elsewhere = make_signature(other)
    cases = [
        ({"campaign__id__exact": other.pk}, {elsewhere.pk}),
        ({"status__exact": "confirmed"}, {confirmed_fr.pk}),
        ({"country": "FR"}, {confirmed_fr.pk}),
        ({"partner__id__exact": partner.pk}, {confirmed_fr.pk}),
        ({"partner__isnull": "True", "campaign__id__exact": campaign.pk}, {pending_de.pk, old.pk}),
        ({"confirmed_at__gte": timezone.now().replace(hour=0, minute=0).isoformat()}, {confirmed_fr.pk}),
        ({"signed_within": "day", "campaign__id__exact": campaign.pk}, {confirmed_fr.pk, pending_de.pk}),
        ({"email_domain": "TWO.example"}, {pending_de.pk, old.pk}),
        ({"ip_hash": "f" * 64}, {pending_de.pk}),
    ]
    for query, expected in cases:
        assert listed_ids(moderator_client.get(URL, query)) == expected, query


def test_a_filter_set_by_a_link_shows_so_it_can_be_cleared(moderator_client):
    make_signature(make_campaign(), email="x@burst.example")
    page = moderator_client.get(URL, {"email_domain": "burst.example"}).content.decode()
    assert "By email domain" in page and "burst.example" in page


def test_the_search_queries_match_their_indexes():
    # The name search must use exactly the expression the migration indexed.
    assert "sig_last_name_upper_prefix" in plan_without_table_scans(Signature.objects.search("lovel"))
    assert "sig_last_name_upper_prefix" in plan_without_table_scans(Signature.objects.search("ada lovel"))
    assert "sig_email_canonical" in plan_without_table_scans(Signature.objects.search("ada@example.org"))
