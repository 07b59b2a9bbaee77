import pytest
from django.core import mail
from django.utils import translation

from campaigns.models import Campaign, CampaignTranslation
from signatures.outbox import deliver_due_email
from tests.factories import make_campaign, make_signature

pytestmark = pytest.mark.django_db


def make_translated_campaign():
    campaign = make_campaign(title="Ban it", summary="Summary", body="Body", language="en")
    CampaignTranslation.objects.create(
        campaign=campaign, language="de", title="Verbietet es", summary="Zusammenfassung", body="Text"
    )
    return campaign


def test_it_gives_the_text_in_the_asked_language_or_the_campaigns_own():
    campaign = make_translated_campaign()
    german = campaign.text_in("de")
    assert (german.title, german.summary, german.body, german.language) == (
        "Verbietet es",
        "Zusammenfassung",
        "Text",
        "de",
    )
    assert campaign.text_in("fr").title == "Ban it"
    assert campaign.text_in("fr").language == "en"
    with translation.override("de"):
        assert campaign.translated.title == "Verbietet es"


def test_it_shows_the_translation_on_the_petition_page_and_the_list(client):
    campaign = make_translated_campaign()
    detail = client.get(f"/de/{campaign.slug}/").text
    listing = client.get("/de/").text
    assert "<h1>Verbietet es</h1>" in detail and "Text" in detail
    assert "Verbietet es" in listing and "Zusammenfassung" in listing
    assert "<h1>Ban it</h1>" in client.get(f"/fr/{campaign.slug}/").text


def test_it_lists_campaigns_with_one_query_for_all_translations(client, django_assert_max_num_queries):
    for _ in range(5):
        make_translated_campaign()
    with django_assert_max_num_queries(3):
        assert client.get("/de/").status_code == 200


def test_it_writes_the_email_in_the_signers_language_with_the_translated_title():
    campaign = make_translated_campaign()
    signature = make_signature(campaign, language="de", email_due="confirm")

    assert deliver_due_email(signature.pk)

    [message] = mail.outbox
    assert message.subject == "Bitte bestätigen Sie Ihre Unterschrift: Verbietet es"
    assert "vielen Dank, dass Sie „Verbietet es“ unterschrieben haben." in message.body
    assert f"/de/s/confirm/{signature.pk}/" in message.body


def test_it_falls_back_to_the_campaigns_language_in_the_email():
    campaign = make_translated_campaign()
    signature = make_signature(campaign, language="fr", email_due="confirm")
    deliver_due_email(signature.pk)
    assert mail.outbox[0].subject == "Veuillez confirmer votre signature\u00a0: Ban it"
    assert Campaign.objects.get().title == "Ban it"


def test_it_does_not_html_escape_the_title_in_the_subject():
    campaign = make_campaign(title="Faces & \"rights\"")
    signature = make_signature(campaign, email_due="confirm")
    deliver_due_email(signature.pk)
    assert mail.outbox[0].subject == 'Please confirm your signature: Faces & "rights"'
