"""The pure rules behind the name and postcode fields."""

import pytest

from signatures import names, postcodes

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "typed, normalised",
    [("  Marie   Curie ", "Marie Curie"), ("Zoe\u0308", "Zoë"), ("Jean\t\nPierre", "Jean Pierre")],
)
def test_names_are_nfc_with_single_spaces(typed, normalised):
    assert names.normalise_name(typed) == normalised


@pytest.mark.parametrize(
    "value",
    ["Ma\u202erie", "Ma\u200brie", "Marie\x00", "Marie 🙂", "Marie<b>", "Ma\u2028rie", "Marie @home"],
)
def test_control_format_symbol_and_markup_characters_are_forbidden(value):
    assert names.forbidden_characters(value)


@pytest.mark.parametrize("value", ["Anne-Marie", "D'Arcy", "Łukasz", "Ђорђе", "Νίκος", "María José", "O’Brien"])
def test_real_names_have_no_forbidden_characters(value):
    assert names.forbidden_characters(value) == []
    assert names.has_letter(value)


@pytest.mark.parametrize("value", ["www.spam.example", "http://x", "buy cheap.com now", "//evil"])
def test_urls_are_spotted(value):
    assert names.contains_url(value)


def test_a_name_needs_a_letter():
    assert not names.has_letter("1234 --")


@pytest.mark.parametrize(
    "country, typed, valid",
    [
        ("DE", "10115", True),
        ("DE", "1011", False),
        ("NL", "1012 ab", True),
        ("PL", "00-950", True),
        ("PL", "00950", False),
        ("IE", "d02 x285", True),
        ("GB", "sw1a 1aa", True),
        ("MT", "vlt 1117", True),
        ("XK", "10000", True),  # no known format: the general pattern
        ("XK", "<script>", False),
    ],
)
def test_postcodes_are_checked_against_the_countrys_format_after_normalising(country, typed, valid):
    assert postcodes.is_valid_postcode(country, postcodes.normalise_postcode(typed)) is valid


def test_every_known_format_accepts_its_own_example():
    for country, (_, example) in postcodes.POSTCODE_FORMATS.items():
        assert postcodes.is_valid_postcode(country, postcodes.normalise_postcode(example)), country
