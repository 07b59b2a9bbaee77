import pytest
from django_countries import countries

from campaigns import eci
from signatures import fold
from tests.factories import make_campaign, make_signature

EU_27 = {
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
}  # fmt: skip


def state(progress, eu_code):
    return next(state for state in progress.states if state.eu_code == eu_code)


@pytest.mark.unit
def test_the_table_holds_the_27_member_states_at_their_2024_minimums():
    assert set(eci.MINIMUM_SIGNATORIES) == EU_27
    assert eci.MINIMUM_SIGNATORIES["DE"] == 69_120
    assert eci.MINIMUM_SIGNATORIES["EL"] == 15_120
    assert eci.MINIMUM_SIGNATORIES["MT"] == 4_320
    # MEP seats x 720, and the seats add up to the 720 of the 2024-2029 Parliament.
    assert all(minimum % 720 == 0 for minimum in eci.MINIMUM_SIGNATORIES.values())
    assert sum(eci.MINIMUM_SIGNATORIES.values()) // 720 == 720


@pytest.mark.unit
def test_every_member_state_is_a_country_a_signer_can_choose():
    assert all(eci.iso_code(code) in countries for code in eci.MINIMUM_SIGNATORIES)


@pytest.mark.unit
def test_greece_is_gr_to_signers_and_el_to_the_eu():
    assert eci.eu_code("GR") == "EL"
    assert eci.iso_code("EL") == "GR"
    assert eci.eu_code("DE") == "DE"

    greece = state(eci.progress({"GR": 15_120}), "EL")

    assert greece.iso_code == "GR" and greece.count == 15_120 and greece.reached


@pytest.mark.unit
def test_an_initiative_needs_seven_states_over_their_minimum_and_a_million_in_all():
    six_states = {eci.iso_code(code): eci.MINIMUM_SIGNATORIES[code] for code in ["DE", "FR", "IT", "ES", "PL", "RO"]}
    six_states["DE"] = 1_000_000
    assert eci.progress(six_states).states_reached == 6
    assert not eci.progress(six_states).met

    seven_states = {**six_states, "GR": 15_120}
    assert eci.progress(seven_states).states_reached == 7
    assert eci.progress(seven_states).met

    seven_small = {eci.iso_code(code): eci.MINIMUM_SIGNATORIES[code] for code in list(eci.MINIMUM_SIGNATORIES)[-7:]}
    assert eci.progress(seven_small).states_reached == 7
    assert not eci.progress(seven_small).met  # far below a million


@pytest.mark.unit
def test_signatures_from_outside_the_union_do_not_count_toward_the_million():
    progress = eci.progress({"DE": 10, "CH": 999_999, "GB": 5})

    assert progress.signatures == 10


@pytest.mark.unit
def test_one_short_of_the_minimum_is_not_reached():
    assert not state(eci.progress({"LU": 4_319}), "LU").reached
    assert state(eci.progress({"LU": 4_320}), "LU").reached


@pytest.mark.django_db
def test_the_petition_page_shows_each_state_against_its_minimum_when_switched_on(client):
    campaign = make_campaign(eci_thresholds=True)
    for country in ["GR", "GR", "MT", "CH"]:
        make_signature(campaign, status="confirmed", country=country)
    fold.fold_counts(campaign.pk)

    response = client.get(campaign.get_absolute_url())

    content = response.content.decode()
    assert "Member states that reached their minimum: <strong data-eci-states-reached>0</strong> of 27" in content
    assert content.count("data-eci-state=") == 27
    assert '<tr data-eci-state="GR">' in content and ">Greece</th>" in content
    assert '<td class="number" data-eci-count>2</td>' in content
    assert "15,120" in content and "4,320" in content


@pytest.mark.django_db
def test_the_petition_page_says_nothing_of_thresholds_when_switched_off(client):
    campaign = make_campaign(eci_thresholds=False)

    response = client.get(campaign.get_absolute_url())

    assert b"data-eci" not in response.content
