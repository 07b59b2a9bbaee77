"""European Citizens' Initiative thresholds, kept as data.

An initiative needs SIGNATURES_REQUIRED signatures in all and, in at least
MEMBER_STATES_REQUIRED of the member states, at least that state's minimum.
"""

import unicodedata
from dataclasses import dataclass

from django_countries import countries

SIGNATURES_REQUIRED = 1_000_000
MEMBER_STATES_REQUIRED = 7

# Minimum signatories per member state for initiatives registered since
# 16 July 2024: the state's seats in the European Parliament x 720.
# Keyed by the EU's own country codes (Greece is EL there).
MINIMUM_SIGNATORIES = {
    "DE": 69_120,
    "FR": 58_320,
    "IT": 54_720,
    "ES": 43_920,
    "PL": 38_160,
    "RO": 23_760,
    "NL": 22_320,
    "BE": 15_840,
    "CZ": 15_120,
    "EL": 15_120,
    "HU": 15_120,
    "PT": 15_120,
    "SE": 15_120,
    "AT": 14_400,
    "BG": 12_240,
    "DK": 10_800,
    "FI": 10_800,
    "SK": 10_800,
    "IE": 10_080,
    "HR": 8_640,
    "LT": 7_920,
    "LV": 6_480,
    "SI": 6_480,
    "EE": 5_040,
    "CY": 4_320,
    "LU": 4_320,
    "MT": 4_320,
}

# Signatures store ISO 3166 codes; the EU writes a few states differently.
EU_CODE_FOR_ISO = {"GR": "EL"}
ISO_CODE_FOR_EU = {eu: iso for iso, eu in EU_CODE_FOR_ISO.items()}


def eu_code(iso_code: str) -> str:
    return EU_CODE_FOR_ISO.get(iso_code, iso_code)


def iso_code(eu_code: str) -> str:
    return ISO_CODE_FOR_EU.get(eu_code, eu_code)


@dataclass(frozen=True)
class StateProgress:
    iso_code: str
    eu_code: str
    minimum: int
    count: int

    @property
    def reached(self) -> bool:
        return self.count >= self.minimum

    @property
    def name(self) -> str:
        """The state's name in the active language."""
        return str(countries.name(self.iso_code))


@dataclass(frozen=True)
class EciProgress:
    states: list[StateProgress]

    signatures_required = SIGNATURES_REQUIRED
    states_required = MEMBER_STATES_REQUIRED

    @property
    def states_reached(self) -> int:
        return sum(1 for state in self.states if state.reached)

    @property
    def signatures(self) -> int:
        """Signatures from member states: the ones that count toward an initiative."""
        return sum(state.count for state in self.states)

    @property
    def met(self) -> bool:
        return self.signatures >= SIGNATURES_REQUIRED and self.states_reached >= MEMBER_STATES_REQUIRED

    def states_by_name(self) -> list[StateProgress]:
        """Alphabetical in the active language, accents folded so Österreich sits with the O's."""
        return sorted(self.states, key=lambda state: _sort_key(state.name))

    def as_dict(self) -> dict:
        return {
            "signatures_required": SIGNATURES_REQUIRED,
            "member_states_required": MEMBER_STATES_REQUIRED,
            "signatures_in_member_states": self.signatures,
            "member_states_reached": self.states_reached,
            "met": self.met,
            "member_states": {
                state.iso_code: {
                    "eu_code": state.eu_code,
                    "minimum": state.minimum,
                    "count": state.count,
                    "reached": state.reached,
                }
                for state in sorted(self.states, key=lambda state: state.iso_code)
            },
        }


def progress(by_country: dict[str, int]) -> EciProgress:
    """Each member state's count (by_country is keyed by ISO code) against its minimum."""
    return EciProgress(
        states=[
            StateProgress(
                iso_code=iso_code(code), eu_code=code, minimum=minimum, count=by_country.get(iso_code(code), 0)
            )
            for code, minimum in MINIMUM_SIGNATORIES.items()
        ]
    )


def _sort_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
