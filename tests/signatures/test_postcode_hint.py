import pytest
from django.utils import translation

from signatures.forms import SignatureForm
from tests.factories import make_campaign, sign_data

pytestmark = pytest.mark.django_db


def test_it_hints_the_postcode_format_of_the_chosen_country_in_the_pages_language():
    with translation.override("fr"):
        form = SignatureForm(sign_data(country="PT", postcode=""))
        assert form.fields["postcode"].help_text == "Par exemple\u00a0: 1000-001"


def test_it_gives_the_general_hint_before_a_country_is_chosen_and_for_countries_without_a_format():
    assert SignatureForm().fields["postcode"].help_text == "Needed for countries that use postcodes."
    assert SignatureForm(sign_data(country="CA")).fields["postcode"].help_text == "Needed for countries that use postcodes."


def test_it_hands_the_page_every_countrys_hint_for_its_script(client):
    campaign = make_campaign()
    page = client.get(f"/de/{campaign.slug}/").text
    assert '<script id="postcode-hints" type="application/json">' in page
    assert '"NL": "Zum Beispiel: 1012 AB"' in page
    assert '"": "Erforderlich in L\\u00e4ndern mit Postleitzahlen."' in page


def test_it_does_not_call_the_postcode_optional():
    campaign = make_campaign()
    from django.test import Client

    page = Client().get(f"/en/{campaign.slug}/").text
    label = page.split('for="id_postcode"')[1].split("</label>")[0]
    assert "optional" not in label
