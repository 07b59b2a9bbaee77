"""The pages a confirmation link opens are kept rendered per campaign and language; each signer's own address (and count) is written in."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from campaigns.selectors import forget_campaigns
from signatures.pages import LINK_ADDRESS_MARK, PROGRESS_MARK, confirmed_context
from tests.factories import confirm_token, make_campaign, make_signature

pytestmark = pytest.mark.django_db


def confirm_path(signature, language="en"):
    with translation.override(language):
        return reverse("signatures:confirm", kwargs={"pk": signature.pk, "token": confirm_token(signature)})


def rendered_afresh(path: str, campaign, language: str) -> str:
    """The page as the template renders it for this address, with nothing kept."""
    with translation.override(language):
        return render_to_string("signatures/confirm.html", {"campaign": campaign}, RequestFactory().get(path))


@pytest.mark.parametrize("language", ["en", "de", "bg", "el"])
def test_each_signer_gets_the_page_with_their_own_address_exactly_as_a_fresh_render(client, language):
    campaign = make_campaign()
    first, second = make_signature(campaign, language=language), make_signature(campaign, language=language)
    first_page = client.get(confirm_path(first, language)).content.decode()
    second_page = client.get(confirm_path(second, language)).content.decode()
    assert first_page == rendered_afresh(confirm_path(first, language), campaign, language)
    assert second_page == rendered_afresh(confirm_path(second, language), campaign, language)
    # One signer's link never shows up on another's page.
    assert confirm_token(first) not in second_page and confirm_token(second) not in first_page
    assert LINK_ADDRESS_MARK not in second_page
    assert f'href="/fr/s/confirm/{second.pk}/{confirm_token(second)}/"' in second_page


@pytest.mark.parametrize(
    "query",
    ['?a="><script>alert(1)</script>', "?utm_source=mail&x=<b>&y='1'", "?q=%E2%80%AE%F0%9F%98%80", "?" + "a" * 3000],
)
def test_what_a_scanner_appends_to_the_address_is_escaped_as_the_template_would(client, query):
    campaign = make_campaign()
    signature = make_signature(campaign)
    client.get(confirm_path(signature))  # keeps the page
    path = confirm_path(signature) + query
    page = client.get(path).content.decode()
    assert page == rendered_afresh(path, campaign, "en")
    assert "<script>alert(1)" not in page


def test_an_edited_title_shows_on_the_next_link_opened(client):
    campaign = make_campaign(title="Ban biometric mass surveillance")
    signature = make_signature(campaign)
    assert "Ban biometric mass surveillance" in client.get(confirm_path(signature)).content.decode()
    campaign.title = "Stop facial recognition in public spaces"
    campaign.save()
    forget_campaigns([campaign.slug])  # as the admin does on every save
    page = client.get(confirm_path(make_signature(campaign))).content.decode()
    assert "Stop facial recognition in public spaces" in page and "Ban biometric" not in page


def test_a_head_request_and_the_page_each_language_keeps_apart(client):
    campaign = make_campaign()
    english, german = make_signature(campaign, language="en"), make_signature(campaign, language="de")
    assert client.head(confirm_path(english)).status_code == 200
    assert 'lang="en"' in client.get(confirm_path(english)).content.decode()[:200]
    german_page = client.get(confirm_path(german, "de")).content.decode()
    assert 'lang="de"' in german_page[:200] and "Unterschrift" in german_page


def confirmed_afresh(path: str, signature, count: int, language: str) -> str:
    with translation.override(language):
        context = {"result": "confirmed", **confirmed_context(signature, count)}
        return render_to_string("signatures/confirmed.html", context, RequestFactory().post(path))


@pytest.mark.parametrize("language", ["en", "de", "el"])
def test_each_confirmation_page_has_its_own_count_and_address_exactly_as_a_fresh_render(
    client, language, django_capture_on_commit_callbacks
):
    campaign = make_campaign(goal=1000)
    signers = [make_signature(campaign, language=language) for _ in range(3)]
    pages = []
    for signer in signers:
        with django_capture_on_commit_callbacks(execute=True):  # the fold runs, so the count climbs
            pages.append(client.post(confirm_path(signer, language)).content.decode())
    for number, (signer, page) in enumerate(zip(signers, pages, strict=True), start=1):
        signer.refresh_from_db()
        assert signer.status == "confirmed"
        assert page == confirmed_afresh(confirm_path(signer, language), signer, number, language)
        assert f"data-count>{number}</strong>" in page
        assert LINK_ADDRESS_MARK not in page and PROGRESS_MARK not in page
        others = [confirm_token(other) for other in signers if other.pk != signer.pk]
        assert not any(token in page for token in others)


def test_a_second_press_and_a_withdrawn_signature_get_their_own_pages_not_the_kept_one(client):
    campaign = make_campaign()
    signature = make_signature(campaign)
    assert "your signature is confirmed" in client.post(confirm_path(signature)).content.decode()
    again = client.post(confirm_path(signature)).content.decode()
    assert "already confirmed" in again and "your signature is confirmed" not in again
    withdrawn = make_signature(campaign, status="withdrawn")
    page = client.post(confirm_path(withdrawn)).content.decode()
    assert "This signature cannot be confirmed" in page and "your signature is confirmed" not in page


def rendered_the_template(response) -> bool:
    return "signatures/confirm.html" in [template.name for template in response.templates]


def test_the_page_is_rendered_once_per_copy_of_the_campaign_in_the_cache(client):
    campaign = make_campaign()
    opened = [client.get(confirm_path(make_signature(campaign))) for _ in range(3)]
    # The first reads the campaign from the database and caches a copy; the
    # second reads that copy, renders the page and keeps it in this process;
    # the third gets the kept page.
    assert [rendered_the_template(response) for response in opened] == [True, True, False]
    assert all(response.status_code == 200 for response in opened)
    forget_campaigns([campaign.slug])  # a save, or the copy's time in the cache ran out
    opened = [client.get(confirm_path(make_signature(campaign))) for _ in range(3)]
    assert [rendered_the_template(response) for response in opened] == [True, True, False]


def test_confirmations_between_two_folds_share_one_rendered_count(client):
    campaign = make_campaign(goal=1000)
    client.get(confirm_path(make_signature(campaign)))  # the campaign's copy is in the cache from here on
    # No fold runs (its request waits for a commit the test never makes), so
    # each sees the stored count plus its own signature.
    pressed = [client.post(confirm_path(make_signature(campaign))) for _ in range(3)]
    rendered = ["campaigns/_progress.html" in [template.name for template in response.templates] for response in pressed]
    assert rendered == [True, False, False]
    assert all("data-count>1</strong>" in response.content.decode() for response in pressed)
