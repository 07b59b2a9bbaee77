"""What each chunk of the outbox looks up: the suppressed addresses, and the organisations of the standing consents."""

import pytest
from django.utils import timezone

from signatures.models import Consent, Suppression
from signatures.outbox import consented_organisations, suppressed_among
from tests.factories import make_campaign, make_consent, make_organisation, make_signature

pytestmark = pytest.mark.django_db


def test_the_organisations_of_standing_consents_come_by_name_for_each_signature():
    # Made in the opposite order to their names, so an order by id would show.
    zebra, alpha = make_organisation(name="Zebra Trust"), make_organisation(name="Alpha League")
    other = make_organisation(name="Middle Ground")
    campaign = make_campaign()
    both, withdrew, unasked, elsewhere = (make_signature(campaign) for _ in range(4))
    make_consent(both, zebra)
    make_consent(both, alpha)
    make_consent(withdrew, other, withdrawn_at=timezone.now())
    make_consent(withdrew, zebra)
    make_consent(elsewhere, other)

    found = consented_organisations([both.pk, withdrew.pk, unasked.pk])

    assert found == {both.pk: [(alpha.pk, "Alpha League"), (zebra.pk, "Zebra Trust")], withdrew.pk: [(zebra.pk, "Zebra Trust")]}
    assert found[unasked.pk] == []
    assert Consent.objects.filter(signature=withdrew).count() == 2


def test_organisations_of_one_name_come_in_the_order_of_the_consents():
    first, second = make_organisation(name="Same"), make_organisation(name="Same")
    signature = make_signature(make_campaign())
    make_consent(signature, second)
    make_consent(signature, first)
    assert consented_organisations([signature.pk])[signature.pk] == [(second.pk, "Same"), (first.pk, "Same")]


def test_only_the_suppressed_addresses_among_those_asked_about_are_given():
    Suppression.objects.create(email_canonical="gone@example.org", reason=Suppression.Reason.REJECTED)
    Suppression.objects.create(email_canonical="other@example.org", reason=Suppression.Reason.REJECTED)
    assert suppressed_among(["gone@example.org", "here@example.org"]) == {"gone@example.org"}
    assert suppressed_among([]) == set()


def test_nothing_asked_about_asks_the_database_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert consented_organisations([]) == {}
        assert suppressed_among([]) == set()
