"""Who an update reaches: confirmed signers whose consent to its organisation stands, and nobody else."""

import pytest
from django.utils import timezone

from signatures.suppression import suppress
from signatures.updates import audience
from tests.factories import make_consent, make_organisation, make_signature

from .helpers import campaign_with_lead, consenting_signers, make_update

pytestmark = pytest.mark.django_db


def test_it_counts_only_signers_whose_consent_to_that_organisation_stands():
    campaign, organisation = campaign_with_lead()
    other = make_organisation()
    kept = consenting_signers(campaign, organisation, 3, country="DE", language="de")
    kept += consenting_signers(campaign, organisation, 2, country="FR", language="fr")
    withdrawn = consenting_signers(campaign, organisation, 1)[0]
    withdrawn.consents.update(withdrawn_at=timezone.now())
    erased = consenting_signers(campaign, organisation, 1)[0]
    erased.__class__.objects.filter(pk=erased.pk).update(erased_at=timezone.now())
    stopped = consenting_signers(campaign, organisation, 1)[0]
    stopped.__class__.objects.filter(pk=stopped.pk).update(emails_stopped_at=timezone.now())
    suppressed = consenting_signers(campaign, organisation, 1)[0]
    suppress(suppressed.email_canonical, "bounce")
    pending = make_signature(campaign)
    make_consent(pending, organisation)
    make_consent(make_signature(campaign, status="confirmed"), other)
    make_signature(campaign, status="confirmed")  # no consent at all

    counts = audience.counts(make_update(campaign, organisation))

    assert counts["total"] == 5
    assert dict(counts["languages"]) == {"de": 3, "fr": 2}
    assert dict(counts["countries"]) == {"DE": 3, "FR": 2}
    assert set(audience.consenting(make_update(campaign, organisation))) == set(kept)


def test_it_narrows_by_country_and_language():
    campaign, organisation = campaign_with_lead()
    consenting_signers(campaign, organisation, 2, country="DE", language="de")
    consenting_signers(campaign, organisation, 1, country="DE", language="en")
    consenting_signers(campaign, organisation, 4, country="AT", language="de")

    assert audience.counts(make_update(campaign, organisation, countries=["DE"]))["total"] == 3
    assert audience.counts(make_update(campaign, organisation, languages=["de"]))["total"] == 6
    assert audience.counts(make_update(campaign, organisation, countries=["DE"], languages=["de"]))["total"] == 2


def test_it_writes_each_recipient_once_even_when_asked_twice():
    campaign, organisation = campaign_with_lead()
    signers = consenting_signers(campaign, organisation, 4)
    update = make_update(campaign, organisation)

    assert audience.write_recipients(update) == 4
    assert audience.write_recipients(update) == 4
    assert sorted(update.recipients.values_list("signature_id", flat=True)) == sorted(s.pk for s in signers)
