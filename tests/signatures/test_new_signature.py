"""The unsaved signature signing builds by position holds what Signature(**keywords) would."""

import pytest
from django.utils import timezone

from campaigns.models import Campaign, Organisation
from signatures.models import Signature
from signatures.services import CONCRETE_FIELDS, new_signature

pytestmark = pytest.mark.unit


def given(now) -> dict:
    return {
        "first_name": "Zoë",
        "last_name": "\u202eevil",
        "email": "Zoe@Example.org",
        "email_canonical": "zoe@example.org",
        "country": "BE",
        "postcode": "1000",
        "language": "nl",
        "contact_consent": True,
        "ip_hash": "b" * 64,
        "utm_source": "newsletter",
        "utm_campaign": "",
        "source": Signature.Source.ONLINE,
        "email_due": Signature.Email.CONFIRM,
        "email_requested_at": now,
        "created_at": now,
    }


def stored_fields(signature: Signature) -> dict:
    return {
        field.attname: getattr(signature, field.attname)
        for field in CONCRETE_FIELDS
        if not field.generated and field.attname != "link_salt"
    }


@pytest.mark.parametrize("with_partner", [True, False])
def test_every_field_as_the_keyword_constructor_sets_it(with_partner):
    campaign, partner = Campaign(pk=7, slug="ban"), Organisation(pk=3, slug="partner") if with_partner else None
    now = timezone.now()
    ours = new_signature(campaign, partner, **given(now))
    theirs = Signature(campaign=campaign, partner=partner, **given(now))
    assert stored_fields(ours) == stored_fields(theirs)
    assert (ours.campaign_id, ours.partner_id) == (7, 3 if with_partner else None)
    assert ours.campaign is campaign and ours.partner is partner
    assert ours.pk is None and ours._state.adding
    # Each new row draws its own salt, as the field's default does.
    assert len(ours.link_salt) == 32 and ours.link_salt != theirs.link_salt
    # Computed by PostgreSQL on INSERT, never guessed here.
    assert "email_domain" not in ours.__dict__


def test_a_field_the_model_does_not_have_is_refused():
    with pytest.raises(TypeError, match="no field emial"):
        new_signature(Campaign(pk=7), None, emial="x@example.org")
