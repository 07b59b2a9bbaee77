import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.factories import make_campaign

pytestmark = pytest.mark.django_db


def test_the_list_shows_public_campaigns_with_their_progress_but_not_drafts(client):
    make_campaign(title="Open one", signature_count=1234)
    make_campaign(title="Secret draft", status="draft")
    html = client.get("/en/").content.decode()
    assert "Open one" in html and "1,234" in html
    assert "Secret draft" not in html


def test_the_root_redirects_to_the_browsers_language(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    assert response.status_code == 302 and response["Location"] == "/de/"


def test_the_petition_page_shows_title_text_count_progress_and_a_labelled_form(client):
    campaign = make_campaign(title="Ban it", body="Para **one**.\n\n<script>alert(1)</script>", signature_count=42)
    response = client.get(campaign.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Ban it</h1>" in html
    assert "<strong>one</strong>" in html and "<script>alert(1)</script>" not in html
    assert '<progress max="1000000" value="42"' in html
    for field in ("first_name", "last_name", "email", "country", "postcode", "accept_privacy"):
        assert f'<label for="id_{field}">' in html
    assert 'lang="en"' in html


def test_a_draft_is_404_to_the_public_and_a_preview_to_staff(client):
    campaign = make_campaign(status="draft")
    assert client.get(campaign.get_absolute_url()).status_code == 404
    staff = get_user_model().objects.create_user("staff", password="x" * 16, is_staff=True)
    client.force_login(staff)
    response = client.get(campaign.get_absolute_url())
    assert response.status_code == 200 and "Preview" in response.content.decode()


def test_a_campaign_not_yet_open_says_when_it_opens_and_has_no_form(client):
    campaign = make_campaign(opens_at=timezone.now() + timezone.timedelta(days=3))
    html = client.get(campaign.get_absolute_url()).content.decode()
    assert "Not open yet" in html and "<form class=\"sign-form\"" not in html


@pytest.mark.parametrize("fields", [{"status": "closed"}, {"closes_at": timezone.now() - timezone.timedelta(hours=1)}])
def test_a_closed_campaign_says_so_and_has_no_form(client, fields):
    campaign = make_campaign(**fields)
    html = client.get(campaign.get_absolute_url()).content.decode()
    assert "This petition is closed" in html and "<form class=\"sign-form\"" not in html


def test_an_unknown_petition_gets_a_friendly_404(client):
    response = client.get("/en/no-such-petition/")
    assert response.status_code == 404 and "Page not found" in response.content.decode()


def test_the_thanks_page_asks_to_check_the_inbox(client):
    campaign = make_campaign()
    html = client.get(f"/en/{campaign.slug}/thanks/").content.decode()
    assert "Check your inbox" in html
