"""The outbox's emails, rendered once per batch and filled in per signer, are what rendering each one gave."""

from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from campaigns.models import CampaignTranslation
from petition.emails import render_email
from signatures import owed_emails
from signatures.emailaddr import deliverable_address
from signatures.links import absolute_url, confirm_url, list_unsubscribe_headers, manage_url, unsubscribe_url
from signatures.models import Signature
from signatures.outbox import consented_organisations
from signatures.owed_emails import Composer
from tests.factories import make_campaign, make_consent, make_organisation, make_signature

pytestmark = pytest.mark.django_db


def rendered_one_by_one(template: str, signature: Signature, organisations) -> object:
    """How the outbox built each message before: the templates rendered with this signer's whole context."""
    with translation.override(signature.language):
        context = {
            "signature": signature,
            "campaign": signature.campaign,
            "first_name": signature.first_name,
            "confirm_url": confirm_url(signature),
            "withdraw_url": manage_url(signature),
            "unsubscribe_all_url": unsubscribe_url(signature),
            "campaign_url": absolute_url(signature.campaign.get_absolute_url()),
            "unsubscribe_links": [
                {"organisation": name, "url": unsubscribe_url(signature, organisation_id)}
                for organisation_id, name in organisations
            ],
        }
    return render_email(
        template,
        context,
        signature.language,
        [deliverable_address(signature.email)],
        headers=list_unsubscribe_headers(signature),
    )


def assert_same_message(made, expected) -> None:
    assert made.subject == expected.subject
    assert made.body == expected.body
    assert made.alternatives == expected.alternatives
    assert made.to == expected.to
    assert made.from_email == expected.from_email
    assert made.extra_headers == expected.extra_headers


@pytest.mark.parametrize("template", ["confirm", "already-signed", "reminder"])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_it_makes_the_message_rendering_each_one_made(template, language):
    lead = make_organisation(name="Liberté & Co")
    partner = make_organisation(name="Partner <One>")
    campaign = make_campaign(title="Stop “surveillance” & <tracking>", lead_organisation=lead)
    CampaignTranslation.objects.create(campaign=campaign, language="fr", title="Non à la surveillance & <suivi>")
    signers = [
        make_signature(campaign, first_name="Zoë", language=language),
        make_signature(campaign, first_name="Seán O'Brien-Nuñez", language=language),
        make_signature(campaign, first_name="Ann & <Bob>", language=language, email="Ann.B@Bücher.example"),
    ]
    make_consent(signers[1], lead)
    make_consent(signers[1], partner)
    make_consent(signers[2], partner)
    organisations = consented_organisations([s.pk for s in signers])
    composer = Composer()
    for signature in signers:
        assert_same_message(
            composer.message(template, signature, organisations[signature.pk]),
            rendered_one_by_one(template, signature, organisations[signature.pk]),
        )


def test_it_renders_the_templates_once_per_campaign_language_and_organisations():
    owed_emails.kept_skeleton.cache_clear()  # another test's campaign may have had the same title and address
    campaign, other = make_campaign(), make_campaign()
    partner = make_organisation()
    signers = [make_signature(campaign) for _ in range(4)]
    signers += [make_signature(campaign, language="de"), make_signature(other)]
    make_consent(signers[3], partner)
    organisations = consented_organisations([s.pk for s in signers])
    composer = Composer()
    with mock.patch.object(owed_emails, "render_skeleton", wraps=owed_emails.render_skeleton) as rendered:
        messages = [composer.message("confirm", s, organisations[s.pk]) for s in signers]
        # campaign in English without consents, with the partner's, in German; the other campaign.
        assert rendered.call_count == 4
        assert len({message.body for message in messages}) == len(signers)

        # The next batch, as the next drain task makes it: the process kept what it rendered.
        again = [Composer().message("confirm", s, organisations[s.pk]) for s in signers]
        assert rendered.call_count == 4
        for made, expected in zip(again, messages, strict=True):
            assert made.body == expected.body and made.alternatives == expected.alternatives


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_batch_after_the_campaign_is_edited_has_the_new_title(language):
    campaign = make_campaign(title="Old title")
    CampaignTranslation.objects.create(campaign=campaign, language="fr", title="Ancien titre")
    signature = make_signature(campaign, language=language)
    assert ("Old title" if language == "en" else "Ancien titre") in Composer().message("confirm", signature, []).body

    campaign.title = "New title"
    campaign.save()
    CampaignTranslation.objects.filter(campaign=campaign).update(title="Nouveau titre")

    made = Composer().message("confirm", signature, [])
    assert_same_message(made, rendered_one_by_one("confirm", Signature.objects.get(pk=signature.pk), []))
    assert ("New title" if language == "en" else "Nouveau titre") in made.subject + made.body
    assert "Old title" not in made.body and "Ancien titre" not in made.body


def test_a_value_that_looks_like_a_marker_is_left_as_it_is():
    campaign = make_campaign()
    looks_like_one = owed_emails.marker("confirm_url")
    # PostgreSQL stores no NUL; a value in memory can still hold one.
    signature = make_signature(campaign)
    signature.first_name = f"Ada{looks_like_one}"
    message = Composer().message("confirm", signature, [])
    assert f"Ada{looks_like_one}" in message.body
    assert message.body.count(confirm_url(signature)) == 1


def test_it_gives_each_signer_only_their_own_links():
    campaign = make_campaign()
    first, second = make_signature(campaign, first_name="First"), make_signature(campaign, first_name="Second")
    composer = Composer()
    composer.message("confirm", first, [])
    message = composer.message("confirm", second, [])
    for url in (confirm_url(first), manage_url(first), unsubscribe_url(first)):
        assert url not in message.body
        assert url not in message.alternatives[0][0]
    assert "First" not in message.body
    assert confirm_url(second) in message.body


def test_each_campaign_is_read_once_a_batch_and_the_signers_campaign_objects_are_not_used():
    campaign, other = make_campaign(), make_campaign()
    made = [make_signature(campaign), make_signature(campaign, language="de"), make_signature(other)]
    # As the drain loads them: without their campaigns, which each would read on first use.
    signers = list(Signature.objects.filter(pk__in=[s.pk for s in made]))
    composer = Composer()
    with CaptureQueriesContext(connection) as queries:
        for signature in signers + signers:
            composer.message("confirm", signature, [])
    reads = [query["sql"] for query in queries.captured_queries if 'FROM "campaigns_campaign"' in query["sql"]]
    assert len(reads) == 2
