"""The sign form's country list, built once per language, in the language of each page."""

import pytest
from django.utils import translation
from django_countries import countries

from signatures.forms import SignatureForm
from tests.factories import make_campaign, sign_data

pytestmark = pytest.mark.django_db


def country_names(language: str) -> dict[str, str]:
    with translation.override(language):
        return dict(SignatureForm(campaign=make_campaign()).fields["country"].choices)


def test_it_names_the_countries_in_each_page_language_in_turn():
    first_german, french, german_again = country_names("de"), country_names("fr"), country_names("de")

    assert first_german["DE"] == "Deutschland"
    assert french["DE"] == "Allemagne"
    assert german_again == first_german


def test_it_offers_an_empty_choice_first_in_the_page_language():
    with translation.override("fr"):
        choices = list(SignatureForm(campaign=make_campaign()).fields["country"].choices)

    assert choices[0][0] == ""
    assert choices[0][1] != "Choose your country"
    assert len(choices) > 240


def test_it_lists_the_countries_as_django_countries_sorts_them_for_the_page_language():
    with translation.override("de"):
        listed = [choice for choice in SignatureForm(campaign=make_campaign()).fields["country"].choices if choice[0]]
        expected = [(code, str(name)) for code, name in countries]

    assert listed == expected


@pytest.mark.parametrize("country", ["", "XX", "EU", "de", "FR\u202e", "🇫🇷"])
def test_it_still_refuses_a_country_not_on_the_list(country):
    form = SignatureForm(sign_data(country=country), campaign=make_campaign())

    assert not form.is_valid()
    assert "country" in form.errors
