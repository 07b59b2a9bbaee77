"""The export form gives clear errors for filters no export may use."""

import pytest

from signatures.exports.forms import ExportForm
from tests.factories import make_campaign, make_organisation

from .support import form_data

pytestmark = pytest.mark.django_db


def test_it_asks_for_the_organisation_of_a_contact_list():
    form = ExportForm(form_data(purpose="contact"), campaign=make_campaign())
    assert not form.is_valid()
    assert "choose who the signers consented to" in form.errors["consented_to"][0]


def test_it_refuses_pending_signers_in_a_contact_list():
    organisation = make_organisation()
    form = ExportForm(
        form_data(purpose="contact", consented_to=organisation.slug, status=["confirmed", "pending"]),
        campaign=make_campaign(),
    )
    assert not form.is_valid()
    assert "confirmed signatures only" in form.errors["status"][0]


def test_it_refuses_statuses_other_than_confirmed_and_pending():
    form = ExportForm(form_data(status=["withdrawn"]), campaign=make_campaign())
    assert not form.is_valid()
    assert "status" in form.errors


def test_it_refuses_a_date_range_that_ends_before_it_starts():
    form = ExportForm(form_data(confirmed_from="2025-03-02", confirmed_to="2025-03-01"), campaign=make_campaign())
    assert not form.is_valid()
    assert form.errors["confirmed_to"] == ["This date is before the start of the range."]


def test_it_turns_valid_filters_into_a_spec():
    campaign = make_campaign()
    partner, organisation = make_organisation(), make_organisation()
    form = ExportForm(
        form_data(
            status=["pending", "confirmed"], country=["FR", "DE"], partner=partner.slug, confirmed_from="2025-01-01",
            consented_to=organisation.slug, bom="on",
        ),
        campaign=campaign,
    )
    assert form.is_valid(), form.errors
    spec = form.spec()
    assert spec.campaign_id == campaign.pk
    assert spec.statuses == ("confirmed", "pending")
    assert spec.countries == ("DE", "FR")
    assert (spec.partner_id, spec.consented_to_id, spec.include_bom) == (partner.pk, organisation.pk, True)


def test_dates_are_typed_as_the_help_text_says():
    """A browser's date box showed mm/dd/yyyy beside help text saying YYYY-MM-DD."""
    form = ExportForm(campaign=make_campaign())
    box = str(form["confirmed_from"])
    assert 'type="text"' in box and 'placeholder="YYYY-MM-DD"' in box and 'type="date"' not in box
    assert ExportForm(form_data(confirmed_from="2025-03-01"), campaign=make_campaign()).is_valid()
    for other_order in ("03/01/2025", "01.03.2025", "2025-13-01"):
        form = ExportForm(form_data(confirmed_from=other_order), campaign=make_campaign())
        assert form.errors["confirmed_from"] == ["Enter a valid date."]
