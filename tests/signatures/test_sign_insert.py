"""Signing writes its row with one written-out INSERT; the unique index still decides who was first."""

import pytest
from django.db import connection, transaction
from django.forms.models import model_to_dict

from signatures import services
from signatures.models import Consent, Signature
from tests.factories import make_campaign, make_organisation

pytestmark = pytest.mark.django_db


def details(**fields) -> services.SignerDetails:
    defaults = {
        "first_name": "Marie",
        "last_name": "Curie",
        "email": "Marie.Curie@Example.org",
        "country": "FR",
        "postcode": "75005",
        "language": "fr",
        "ip_hash": "a" * 64,
        "utm_source": "newsletter",
        "utm_campaign": "spring",
    }
    return services.SignerDetails(**{**defaults, **fields})


def test_it_writes_every_column_as_the_orm_would():
    campaign, partner = make_campaign(), make_organisation()
    signature = services.sign(campaign, details(partner=partner, contact_consent=True))
    stored = Signature.objects.get(pk=signature.pk)
    made_by_orm = Signature.objects.create(
        campaign=campaign,
        first_name="Marie",
        last_name="Curie",
        email="marie.curie@example.net",
        email_canonical="marie.curie@example.net",
        country="FR",
        postcode="75005",
        language="fr",
        contact_consent=True,
        ip_hash="a" * 64,
        partner=partner,
        utm_source="newsletter",
        utm_campaign="spring",
        source="online",
        email_due=Signature.Email.CONFIRM,
        email_requested_at=stored.email_requested_at,
    )
    differ = {"id", "email", "email_canonical", "link_salt"}
    ours = {name: value for name, value in model_to_dict(stored).items() if name not in differ}
    theirs = {name: value for name, value in model_to_dict(made_by_orm).items() if name not in differ}
    assert ours == theirs
    assert stored.email_canonical == "marie.curie@example.org" and stored.email_domain == "example.org"
    assert len(stored.link_salt) == 32 and stored.link_salt != made_by_orm.link_salt
    assert stored.created_at == stored.email_requested_at
    # What sign() returns is the stored row.
    assert signature.email_domain == "example.org" and signature._state.adding is False
    assert (signature.created_at, signature.link_salt) == (stored.created_at, stored.link_salt)


def test_a_new_signature_without_consents_is_one_statement(django_assert_max_num_queries):
    campaign = make_campaign()
    with django_assert_max_num_queries(1):
        services.sign(campaign, details())
    assert Signature.objects.filter(campaign=campaign).count() == 1


def test_consents_are_written_with_their_signature():
    campaign, lead = make_campaign(), make_organisation()
    signature = services.sign(campaign, details(contact_consent=True, consents=[(lead, "Lead may email me.")]))
    consent = Consent.objects.get()
    assert (consent.signature_id, consent.organisation_id, consent.text_shown) == (signature.pk, lead.pk, "Lead may email me.")


def test_signing_again_returns_the_first_row_and_writes_nothing_more(django_capture_on_commit_callbacks):
    campaign, lead = make_campaign(), make_organisation()
    first = services.sign(campaign, details())
    Signature.objects.filter(pk=first.pk).update(email_due="")
    again = services.sign(campaign, details(email="marie.curie@EXAMPLE.org", consents=[(lead, "Lead may email me.")]))
    assert again.pk == first.pk
    assert Signature.objects.filter(campaign=campaign).count() == 1
    assert not Consent.objects.exists()
    # The pending signer gets the confirmation link again.
    assert Signature.objects.get(pk=first.pk).email_due == Signature.Email.CONFIRM


def test_a_second_signature_leaves_the_callers_transaction_usable():
    campaign = make_campaign()
    with transaction.atomic():
        first = services.sign(campaign, details())
        again = services.sign(campaign, details())
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    assert again.pk == first.pk


def test_rows_set_aside_as_duplicates_do_not_stop_a_signature():
    campaign = make_campaign()
    first = services.sign(campaign, details())
    # Moderators keep a row found to share a mailbox outside the unique index.
    Signature.objects.filter(pk=first.pk).update(email_canonical="", duplicate_of=None)
    second = services.sign(campaign, details())
    assert second.pk != first.pk
