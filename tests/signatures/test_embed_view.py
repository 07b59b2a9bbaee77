import pytest
from django.urls import reverse

from signatures.models import Signature
from tests.factories import make_campaign, make_organisation, sign_data

pytestmark = pytest.mark.django_db


def embed_sign_url(campaign, partner=None):
    url = reverse("signatures:embed_sign", kwargs={"slug": campaign.slug})
    return f"{url}?via={partner.slug}" if partner else url


def directives(response) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in response["Content-Security-Policy"].split("; ")}


def embed_url(campaign, partner=None):
    url = reverse("signatures:embed", kwargs={"slug": campaign.slug})
    return f"{url}?via={partner.slug}" if partner else url


def test_it_lets_only_the_campaigns_organisations_websites_frame_the_form(client):
    lead = make_organisation(website="https://lead.example/petition")
    partner = make_organisation(website="http://intranet.partner.example:8080/campaigns")
    make_organisation(website="https://not-a-partner.example/")
    campaign = make_campaign(lead_organisation=lead)
    campaign.partners.add(partner)

    response = client.get(embed_url(campaign, partner))

    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert directives(response)["frame-ancestors"] == [
        "'self'", "https://lead.example", "http://intranet.partner.example:8080"
    ]
    assert f'name="via" value="{partner.slug}"' in response.text
    assert "csrfmiddlewaretoken" not in response.text


def test_any_https_site_may_frame_the_form_only_when_the_campaign_opts_in(client):
    partner = make_organisation(website="https://partner.example/")
    campaign = make_campaign(embed_on_any_site=True)
    campaign.partners.add(partner)

    assert directives(client.get(embed_url(campaign)))["frame-ancestors"] == [
        "'self'", "https://partner.example", "https:"
    ]
    campaign.embed_on_any_site = False
    campaign.save()
    assert "https:" not in directives(client.get(embed_url(campaign)))["frame-ancestors"]


def test_the_embed_carries_the_whole_policy_not_a_lone_frame_ancestors(client, settings):
    settings.SIGN_RATE_BURST = "1/m"
    campaign = make_campaign()
    same_site = {"sec-fetch-site": "same-origin"}
    responses = {
        "form": client.get(embed_url(campaign)),
        "invalid": client.post(embed_sign_url(campaign), {"first_name": "Ada"}, headers=same_site),
        "busy": client.post(embed_sign_url(campaign), sign_data(), headers=same_site),
        "refused": client.post(embed_sign_url(campaign), sign_data(), headers={"sec-fetch-site": "cross-site"}),
        "thanks": client.get(reverse("signatures:embed_thanks", kwargs={"slug": campaign.slug})),
    }

    assert [r.status_code for r in responses.values()] == [200, 400, 429, 403, 200]
    for name, response in responses.items():
        policy = directives(response)
        assert policy["script-src"] == ["'self'"], name
        assert policy["form-action"] == ["'self'"], name
        assert policy["object-src"] == ["'none'"], name
        assert policy["frame-ancestors"] == ["'self'"], name


def test_a_website_with_a_user_part_cannot_write_its_own_directives(client):
    partner = make_organisation(website="https://x;script-src:*@partner.org/")
    campaign = make_campaign()
    campaign.partners.add(partner)

    response = client.get(embed_url(campaign, partner))

    policy = directives(response)
    assert policy["frame-ancestors"] == ["'self'", "https://partner.org"]
    assert policy["script-src"] == ["'self'"]
    assert "script-src:*" not in response["Content-Security-Policy"]


def test_a_busy_embed_says_when_to_try_again(client, settings):
    settings.SIGN_RATE_BURST = "1/m"
    campaign = make_campaign()

    client.post(embed_sign_url(campaign), sign_data(), headers={"sec-fetch-site": "same-origin"})
    response = client.post(embed_sign_url(campaign), sign_data(), headers={"sec-fetch-site": "same-origin"})

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60


def test_it_keeps_every_other_page_unframeable(client):
    campaign = make_campaign()
    response = client.get(campaign.get_absolute_url())
    assert response["X-Frame-Options"] == "DENY"


def test_it_records_a_signature_posted_from_our_own_frame_and_credits_the_partner(
    client, django_capture_on_commit_callbacks
):
    partner = make_organisation()
    campaign = make_campaign()
    campaign.partners.add(partner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            embed_sign_url(campaign, partner),
            sign_data(via=partner.slug, contact_consent="on"),
            headers={"sec-fetch-site": "same-origin", "origin": "http://testserver"},
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("signatures:embed_thanks", kwargs={"slug": campaign.slug}) + (
        f"?via={partner.slug}"
    )
    assert "X-Frame-Options" not in response
    signature = Signature.objects.get()
    assert signature.partner == partner
    assert signature.contact_consent is True


def test_it_accepts_an_origin_header_naming_our_site_when_sec_fetch_site_is_absent(client):
    campaign = make_campaign()
    response = client.post(embed_sign_url(campaign), sign_data(), headers={"origin": "http://testserver"})
    assert response.status_code == 302
    assert Signature.objects.count() == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"sec-fetch-site": "cross-site", "origin": "https://attacker.example"},
        {"sec-fetch-site": "same-site", "origin": "https://other.testserver"},
        {"origin": "https://attacker.example"},
        {"origin": "null"},
        {"referer": "https://attacker.example/page.html"},
    ],
    ids=["cross-site", "same-site", "foreign-origin", "null-origin", "foreign-referer"],
)
def test_it_refuses_a_signature_not_posted_from_our_own_page(client, headers):
    campaign = make_campaign()
    response = client.post(embed_sign_url(campaign), sign_data(), headers=headers)
    assert response.status_code == 403
    assert "Please try again" in response.text
    assert not Signature.objects.exists()


def test_it_shows_errors_inside_the_frame(client):
    campaign = make_campaign()
    response = client.post(
        embed_sign_url(campaign), sign_data(email="nope"), headers={"sec-fetch-site": "same-origin"}
    )
    assert response.status_code == 400
    assert "Please enter a complete email address" in response.text
    assert "X-Frame-Options" not in response
    assert 'class="site-header"' not in response.text


def test_it_sends_signers_of_a_closed_campaign_back_to_the_embed(client):
    campaign = make_campaign(status="closed")
    response = client.post(embed_sign_url(campaign), sign_data(), headers={"sec-fetch-site": "same-origin"})
    assert response.status_code == 302
    assert response["Location"] == reverse("signatures:embed", kwargs={"slug": campaign.slug})
    assert not Signature.objects.exists()


def test_it_rate_limits_the_embed_like_the_petition_page(client, settings):
    settings.SIGN_RATE_BURST = "1/m"
    campaign = make_campaign()
    headers = {"sec-fetch-site": "same-origin"}
    client.post(embed_sign_url(campaign), sign_data(), headers=headers)
    response = client.post(embed_sign_url(campaign), sign_data(), headers=headers)
    assert response.status_code == 429
    assert "Too many attempts" in response.text


def test_it_lets_caches_keep_the_embed_since_nothing_in_it_is_personal(client):
    campaign = make_campaign()
    response = client.get(reverse("signatures:embed", kwargs={"slug": campaign.slug}))
    assert "public" in response["Cache-Control"]
    assert not response.cookies
