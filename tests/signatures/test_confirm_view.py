import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign
from signatures import links
from signatures.models import Signature
from tests.factories import confirm_token, make_campaign, make_signature

pytestmark = pytest.mark.django_db


def confirm_url(signature, token=None):
    return reverse("signatures:confirm", kwargs={"pk": signature.pk, "token": token or confirm_token(signature)})


def confirm(client, signature, capture, token=None):
    """Press the button on the page the link opens."""
    with capture(execute=True):
        return client.post(confirm_url(signature, token))


def test_it_confirms_a_pending_signature_once_and_the_count_follows(client, django_capture_on_commit_callbacks):
    campaign = make_campaign()
    signature = make_signature(campaign)
    response = confirm(client, signature, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "your signature is confirmed" in response.content.decode()
    signature.refresh_from_db()
    assert signature.status == "confirmed" and signature.confirmed_at
    campaign.refresh_from_db()
    assert campaign.signature_count == 1
    assert campaign.country_counts.get(country="DE").count == 1


def test_a_second_click_says_it_is_already_confirmed_and_counts_once(client, django_capture_on_commit_callbacks):
    campaign = make_campaign()
    signature = make_signature(campaign)
    confirm(client, signature, django_capture_on_commit_callbacks)
    confirmed_at = Signature.objects.get().confirmed_at
    response = confirm(client, signature, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "already confirmed" in response.content.decode()
    assert Signature.objects.get().confirmed_at == confirmed_at
    campaign.refresh_from_db()
    assert campaign.signature_count == 1


@pytest.mark.parametrize(
    "token",
    ["x" * 43, "", "%00", "..%2F..%2Fetc", "ü" * 10, "A" * 500],
)
def test_an_unknown_or_altered_token_gets_a_clear_404(client, token):
    signature = make_signature(make_campaign())
    for method in (client.get, client.post):
        response = method(f"/en/s/confirm/{signature.pk}/{token}/")
        assert response.status_code == 404
        # A token the URL pattern cannot hold (empty, a slash) gets the site's own 404 page.
        page = response.content.decode()
        assert "This link has expired or is not valid" in page or "Page not found" in page
    assert Signature.objects.get().status == "pending"


def test_a_token_for_another_signature_does_not_confirm(client):
    campaign = make_campaign()
    victim, attacker = make_signature(campaign), make_signature(campaign)
    assert client.post(confirm_url(victim, confirm_token(attacker))).status_code == 404
    assert client.post("/en/s/confirm/999999999/" + confirm_token(victim) + "/").status_code == 404
    assert Signature.objects.filter(status="confirmed").count() == 0


@pytest.mark.parametrize("status", ["rejected", "withdrawn"])
def test_rejected_or_withdrawn_signatures_cannot_be_confirmed(client, status, django_capture_on_commit_callbacks):
    campaign = make_campaign()
    signature = make_signature(campaign, status=status)
    response = confirm(client, signature, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "cannot be confirmed" in response.content.decode()
    assert Signature.objects.get().status == status
    campaign.refresh_from_db()
    assert campaign.signature_count == 0


def test_a_closed_campaign_accepts_confirmations_only_during_the_grace_period(
    client, settings, django_capture_on_commit_callbacks
):
    settings.CONFIRMATION_GRACE_DAYS = 7
    now = timezone.now()
    within = make_campaign(status=Campaign.Status.CLOSED, opens_at=now - timezone.timedelta(days=30),
                           closes_at=now - timezone.timedelta(days=2))
    after = make_campaign(status=Campaign.Status.CLOSED, opens_at=now - timezone.timedelta(days=30),
                          closes_at=now - timezone.timedelta(days=8))
    late = make_signature(after)
    in_time = make_signature(within)
    assert "confirmed" in confirm(client, in_time, django_capture_on_commit_callbacks).content.decode()
    response = confirm(client, late, django_capture_on_commit_callbacks)
    assert "time for confirming signatures on this petition has ended" in response.content.decode()
    assert Signature.objects.get(pk=late.pk).status == "pending"
    assert Signature.objects.get(pk=in_time.pk).status == "confirmed"


def test_opening_the_link_shows_the_button_and_changes_nothing(client):
    """Mail scanners and previews open links with GET and HEAD; only the button's POST confirms."""
    campaign = make_campaign(title="Ban biometric mass surveillance")
    signature = make_signature(campaign)
    url = confirm_url(signature)

    page = client.get(url)
    head = client.head(url)

    assert page.status_code == 200 and head.status_code == 200
    text = page.content.decode()
    assert "Confirm my signature" in text and "Ban biometric mass surveillance" in text
    assert '<form method="post">' in text and "csrfmiddlewaretoken" not in text
    assert "no-store" in page["Cache-Control"]
    assert Signature.objects.get().status == "pending"


def test_the_button_works_without_a_cookie_but_not_from_another_site(client, django_capture_on_commit_callbacks):
    signature = make_signature(make_campaign())
    url = confirm_url(signature)

    assert client.post(url, HTTP_SEC_FETCH_SITE="cross-site").status_code == 403
    assert client.post(url, HTTP_ORIGIN="https://evil.example").status_code == 403
    assert Signature.objects.get().status == "pending"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, HTTP_SEC_FETCH_SITE="same-origin").status_code == 200
    assert Signature.objects.get().status == "confirmed"


def test_a_confirm_link_for_a_campaign_past_its_grace_period_says_it_has_expired(client, settings):
    settings.CONFIRMATION_GRACE_DAYS = 7
    now = timezone.now()
    campaign = make_campaign(status=Campaign.Status.CLOSED, opens_at=now - timezone.timedelta(days=30),
                             closes_at=now - timezone.timedelta(days=8))  # fmt: skip
    response = client.get(confirm_url(make_signature(campaign)))
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_a_manage_or_unsubscribe_token_does_not_confirm(client):
    signature = make_signature(make_campaign())
    for purpose in (links.MANAGE, links.UNSUBSCRIBE_ALL):
        assert client.post(confirm_url(signature, links.token_for(signature, purpose))).status_code == 404
    assert Signature.objects.get().status == "pending"
