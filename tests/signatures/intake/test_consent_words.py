"""A partner's consent column, written in the partner's own language."""

import unicodedata

import pytest
from django.conf import settings

from signatures.intake.rows import NO, YES, RowError, parse_flag

pytestmark = pytest.mark.unit

# "yes" and "no" as a signer or partner writes them in each official language.
WORDS_BY_LANGUAGE = {
    "bg": ("Да", "Не"), "cs": ("ano", "ne"), "da": ("Ja", "Nej"), "de": ("ja", "Nein"),
    "el": ("ΝΑΙ", "Όχι"), "en": ("Yes", "no"), "es": ("Sí", "no"), "et": ("jah", "EI"),
    "fi": ("Kyllä", "ei"), "fr": ("Oui", "non"), "ga": ("Tá", "Níl"), "hr": ("da", "ne"),
    "hu": ("Igen", "nem"), "it": ("sì", "No"), "lt": ("Taip", "ne"), "lv": ("Jā", "Nē"),
    "mt": ("Iva", "Le"), "nl": ("ja", "Nee"), "pl": ("TAK", "nie"), "pt": ("Sim", "Não"),
    "ro": ("Da", "Nu"), "sk": ("áno", "nie"), "sl": ("Da", "ne"), "sv": ("ja", "nej"),
}


def test_every_official_language_has_its_words():
    assert set(WORDS_BY_LANGUAGE) == {code for code, _ in settings.LANGUAGES}


@pytest.mark.parametrize("language", sorted(WORDS_BY_LANGUAGE))
def test_yes_and_no_in_each_language(language):
    yes, no = WORDS_BY_LANGUAGE[language]
    assert parse_flag("consent", f" {yes} ") is True
    assert parse_flag("consent", no) is False


def test_decomposed_accents_from_a_mac_file_read_the_same():
    assert parse_flag("consent", unicodedata.normalize("NFD", "Kyllä")) is True
    assert parse_flag("consent", unicodedata.normalize("NFD", "Não")) is False


def test_no_word_means_both():
    assert not YES & NO


@pytest.mark.parametrize("value", ["maybe", "yess", "\u202eyes", "jein", "1.0"])
def test_anything_else_is_refused_with_the_hint(value):
    with pytest.raises(RowError) as refused:
        parse_flag("consent", value)
    assert refused.value.field_name == "consent"
