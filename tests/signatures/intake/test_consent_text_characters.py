"""A consent text holding NUL or other control characters is one invalid row, not a failed import."""

import pytest

from signatures.intake.importer import ImportOptions, read_heading, run_import
from signatures.intake.mapping import guess_mapping
from signatures.models import Consent, Signature
from tests.factories import make_campaign, make_organisation

pytestmark = pytest.mark.django_db

HEADING = "first name,last name,email,country,postcode,consent org,consent text org"


@pytest.mark.parametrize("hidden", ["\x00", "\x1b", "\u202e"], ids=["nul", "escape", "rtl-override"])
def test_a_consent_text_with_a_control_character_is_reported_on_its_line_and_the_rest_imported(tmp_path, hidden):
    organisation = make_organisation(slug="org")
    campaign = make_campaign(lead_organisation=organisation)
    path = tmp_path / "list.csv"
    path.write_text(
        HEADING + "\n"
        f"Ada,Lovelace,ada@example.org,DE,10115,yes,I agree{hidden} to hear from Org\n"
        "Bob,Smith,bob@example.org,DE,10115,yes,I agree to hear from Org\n",
        encoding="utf-8",
    )
    mapping = guess_mapping(read_heading(path)[0], ["org"])
    assert mapping["consent_text:org"] == "consent text org"

    report = run_import(path, ImportOptions(campaign=campaign, mapping=mapping, dry_run=False))

    assert report.invalid == 1 and report.imported == 1
    assert report.examples[0][0] == 2 and "control or direction-changing characters" in report.examples[0][2]
    assert list(Signature.objects.values_list("last_name", flat=True)) == ["Smith"]
    assert list(Consent.objects.values_list("text_shown", flat=True)) == ["I agree to hear from Org"]
