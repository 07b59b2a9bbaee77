"""The page after a confirmation link: the count with this signature in it, sharing first, who is behind the petition."""

import pytest
from django.urls import reverse

from signatures import services
from signatures.fold import fold_counts
from signatures.models import Signature
from signatures.pages import confirmed_context, count_with
from tests.factories import confirm_token, make_campaign, make_organisation, make_signature

pytestmark = pytest.mark.django_db


def confirm_url(signature):
    return reverse("signatures:confirm", kwargs={"pk": signature.pk, "token": confirm_token(signature)})


def shown_figures(page: str) -> str:
    start = page.index('class="progress-figures"')
    return page[start : page.index("</p>", start)]


def test_the_first_confirmation_shows_one_signature_before_the_fold_has_run(client):
    campaign = make_campaign(goal=1_000_000)
    signature = make_signature(campaign)

    # No on-commit callbacks run here: the fold the confirmation asks for has not happened.
    page = client.post(confirm_url(signature)).text

    assert Signature.objects.get().is_counted is False
    assert "your signature is confirmed" in page
    assert '<strong class="count" data-count>1</strong> signature of 1,000,000' in shown_figures(page)
    assert 'value="1"' in page


def test_once_folded_the_signature_is_not_counted_twice(client, django_capture_on_commit_callbacks):
    campaign = make_campaign()
    make_signature(campaign, status=Signature.Status.CONFIRMED)
    fold_counts(campaign.pk)
    signature = make_signature(campaign)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(confirm_url(signature)).text
    assert "data-count>2</strong> signatures of" in shown_figures(page)
    campaign.refresh_from_db()
    assert campaign.signature_count == 2 and Signature.objects.get(pk=signature.pk).is_counted

    again = client.post(confirm_url(signature)).text
    assert "already confirmed" in again
    assert "data-count>2</strong> signatures of" in shown_figures(again)


def test_the_count_adds_only_a_confirmed_signature_that_no_fold_has_taken():
    campaign = make_campaign()
    campaign.signature_count = 41
    campaign.save()
    waiting = make_signature(campaign, status=Signature.Status.CONFIRMED, is_counted=False)
    counted = make_signature(campaign, status=Signature.Status.CONFIRMED, is_counted=True)
    pending = make_signature(campaign)
    withdrawn_but_counted = make_signature(campaign, status=Signature.Status.WITHDRAWN, is_counted=True)

    assert count_with(waiting) == 42
    assert count_with(counted) == 41
    assert count_with(pending) == 41
    assert count_with(withdrawn_but_counted) == 41


def test_it_reads_the_row_as_it_is_now_not_as_the_caller_loaded_it():
    campaign = make_campaign()
    signature = make_signature(campaign, status=Signature.Status.CONFIRMED, is_counted=False)
    fold_counts(campaign.pk)  # a fold ran between loading the row and drawing the page

    assert signature.is_counted is False
    assert count_with(signature) == 1


def test_it_leads_with_the_share_links_and_names_the_organisations_behind_the_petition(client):
    lead = make_organisation(name="Reclaim Your Face", website="https://lead.example.org/")
    partner = make_organisation(name="Digital Rights Partner", website="")
    other_partner = make_organisation(name="Another Ally", website="https://ally.example.org/")
    campaign = make_campaign(lead_organisation=lead)
    campaign.partners.add(partner, other_partner, lead)
    signature = make_signature(campaign)

    page = client.post(confirm_url(signature)).text

    share = page.index('class="share"')
    assert page.index("<h1>") < share < page.index('id="organisations-heading"')
    for network in ("email", "whatsapp", "telegram", "mastodon", "bluesky", "x", "facebook", "linkedin"):
        assert f'data-network="{network}"' in page
    assert f'value="http://testserver/en/{campaign.slug}/"' in page
    organisations = page[page.index('id="organisations-heading"') :]
    assert '<a href="https://lead.example.org/" rel="noopener">Reclaim Your Face</a>' in organisations
    assert "(lead organisation)" in organisations
    # The lead once, then the partners by name.
    assert organisations.count("Reclaim Your Face") == 1
    assert organisations.index("Another Ally") < organisations.index("Digital Rights Partner")
    assert "<li>Digital Rights Partner\n</li>" in organisations


def test_a_signature_that_cannot_be_confirmed_gets_no_share_block(client):
    campaign = make_campaign(lead_organisation=make_organisation())
    signature = make_signature(campaign, status=Signature.Status.WITHDRAWN)

    page = client.post(confirm_url(signature)).text

    assert "This signature cannot be confirmed" in page
    assert 'class="share"' not in page and 'id="organisations-heading"' not in page
    assert "data-count>0</strong> signatures of" in shown_figures(page)


def test_the_context_holds_what_the_page_needs():
    partner = make_organisation()
    campaign = make_campaign()
    campaign.partners.add(partner)
    signature = make_signature(campaign, status=Signature.Status.CONFIRMED)

    context = confirmed_context(signature)

    assert context["campaign"] == campaign
    assert "data-count>1</strong> signature of" in context["progress_html"]
    showcase = context["showcase_html"]
    assert partner.name in showcase and "(lead organisation)" not in showcase
    assert showcase.index('data-network="email"') < showcase.index('data-network="whatsapp"')
    assert f'value="http://testserver/en/{campaign.slug}/"' in showcase


def test_the_confirmation_returns_the_count_with_the_signature_in_it():
    campaign = make_campaign()
    campaign.signature_count = 41
    campaign.save()
    signature = make_signature(campaign)

    confirmation = services.confirm(signature.pk, confirm_token(signature))

    assert confirmation.result == services.ConfirmResult.CONFIRMED and confirmation.count == 42
    assert services.confirm(signature.pk, confirm_token(signature)).count is None
