import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from signatures.models import Signature
from tests.factories import confirm_token, make_campaign, make_organisation, make_signature, sign_data

pytestmark = pytest.mark.django_db


def sign_url(campaign):
    return reverse("signatures:sign", kwargs={"slug": campaign.slug})


def test_it_records_a_pending_signature_and_sends_the_confirmation_link(client, django_capture_on_commit_callbacks):
    campaign = make_campaign()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(sign_url(campaign), sign_data(email="Marie.Curie+petition@Example.org"))
    assert response.status_code == 302
    assert response["Location"] == reverse("signatures:thanks", kwargs={"slug": campaign.slug})
    signature = Signature.objects.get()
    assert signature.status == "pending"
    assert signature.email == "Marie.Curie+petition@Example.org"
    assert signature.email_canonical == "marie.curie@example.org"
    assert signature.country == "FR"
    assert signature.ip_hash and "127.0.0.1" not in signature.ip_hash
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    # As typed, with the domain as delivery writes it.
    assert message.to == ["Marie.Curie+petition@example.org"]
    assert f"/s/confirm/{signature.pk}/{confirm_token(signature)}/" in message.body
    signature.refresh_from_db()
    assert signature.emails_sent == 1 and signature.email_due == "" and signature.confirmation_sent_at


def post_sign(client, campaign, capture, **fields):
    with capture(execute=True):
        return client.post(sign_url(campaign), sign_data(**fields))


def test_it_shows_the_same_page_for_new_pending_and_confirmed_addresses(client, django_capture_on_commit_callbacks):
    campaign = make_campaign()
    first = post_sign(client, campaign, django_capture_on_commit_callbacks, email="ada@example.org")
    again_pending = post_sign(client, campaign, django_capture_on_commit_callbacks, email="ADA+x@example.org")
    Signature.objects.update(status="confirmed", confirmed_at=timezone.now())
    again_confirmed = post_sign(client, campaign, django_capture_on_commit_callbacks, email="ada@example.org")
    responses = [first, again_pending, again_confirmed]
    assert {r.status_code for r in responses} == {302}
    assert {r["Location"] for r in responses} == {first["Location"]}
    thanks = [client.get(r["Location"]).content for r in responses]
    assert thanks[0] == thanks[1] == thanks[2]
    assert Signature.objects.count() == 1


def test_it_resends_the_link_to_a_pending_signer_and_says_already_signed_to_a_confirmed_one(
    client, django_capture_on_commit_callbacks
):
    campaign = make_campaign()
    post_sign(client, campaign, django_capture_on_commit_callbacks, email="ada@example.org")
    post_sign(client, campaign, django_capture_on_commit_callbacks, email="ada@example.org")
    assert [m.subject.startswith("Please confirm") for m in mail.outbox] == [True, True]
    Signature.objects.update(status="confirmed", confirmed_at=timezone.now())
    post_sign(client, campaign, django_capture_on_commit_callbacks, email="ada@example.org")
    assert mail.outbox[-1].subject.startswith("You have already signed")
    assert "/s/confirm/" not in mail.outbox[-1].body
    assert Signature.objects.get().emails_sent == 3


def test_it_never_sends_more_than_five_emails_per_signature(client, django_capture_on_commit_callbacks):
    campaign = make_campaign()
    for _ in range(8):
        post_sign(client, campaign, django_capture_on_commit_callbacks, email="ada@example.org")
    assert len(mail.outbox) == 5
    assert Signature.objects.get().emails_sent == 5


def test_it_counts_the_same_gmail_mailbox_once(client, django_capture_on_commit_callbacks):
    campaign = make_campaign()
    post_sign(client, campaign, django_capture_on_commit_callbacks, email="ada.lovelace@gmail.com")
    post_sign(client, campaign, django_capture_on_commit_callbacks, email="AdaLovelace+eu@googlemail.com")
    assert Signature.objects.count() == 1


def test_the_same_address_may_sign_different_campaigns(client, django_capture_on_commit_callbacks):
    post_sign(client, make_campaign(), django_capture_on_commit_callbacks, email="ada@example.org")
    post_sign(client, make_campaign(), django_capture_on_commit_callbacks, email="ada@example.org")
    assert Signature.objects.count() == 2


def test_it_shows_errors_next_to_their_fields_and_keeps_what_was_typed(client):
    campaign = make_campaign()
    response = client.post(sign_url(campaign), sign_data(first_name="", email="nope", last_name="Curie"))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_first_name_error"' in html and "Please enter your first name." in html
    assert 'id="id_email_error"' in html and "complete email address" in html
    assert 'value="Curie"' in html
    assert 'class="error-summary"' in html
    assert Signature.objects.count() == 0


def test_it_records_nothing_when_the_honeypot_is_filled(client):
    campaign = make_campaign()
    response = client.post(sign_url(campaign), sign_data(website="http://spam.example"))
    assert response.status_code == 302
    assert Signature.objects.count() == 0
    assert mail.outbox == []


def test_it_credits_a_known_partner_and_keeps_utm_fields_bounded(client):
    partner = make_organisation(slug="partner-a")
    campaign = make_campaign()
    campaign.partners.add(partner)
    client.post(sign_url(campaign), sign_data(via="partner-a", utm_source="x" * 300, utm_campaign="spring"))
    client.post(sign_url(campaign), sign_data(via="no-such-org"))
    first, second = Signature.objects.order_by("pk")
    assert first.partner == partner and len(first.utm_source) == 100 and first.utm_campaign == "spring"
    assert second.partner is None


def test_it_rejects_get_on_the_sign_url(client):
    assert client.get(sign_url(make_campaign())).status_code == 405


@pytest.mark.parametrize("status, opens_in_days, closes_in_days", [("closed", -5, None), ("open", 3, None), ("open", -5, -1)])
def test_it_does_not_accept_signatures_outside_the_open_window(client, status, opens_in_days, closes_in_days):
    now = timezone.now()
    campaign = make_campaign(
        status=status,
        opens_at=now + timezone.timedelta(days=opens_in_days),
        closes_at=now + timezone.timedelta(days=closes_in_days) if closes_in_days else None,
    )
    response = client.post(sign_url(campaign), sign_data())
    assert response.status_code == 302 and response["Location"] == campaign.get_absolute_url()
    assert Signature.objects.count() == 0


def test_drafts_do_not_accept_signatures_from_the_public(client):
    campaign = make_campaign(status="draft")
    assert client.post(sign_url(campaign), sign_data()).status_code == 404


def test_an_email_no_longer_owed_is_not_sent_and_releases_its_claim():
    from signatures.outbox import deliver_due_email

    signature = make_signature(make_campaign(), email_due="confirm")
    Signature.objects.filter(pk=signature.pk).update(status="confirmed", confirmed_at=timezone.now())
    assert deliver_due_email(signature.pk) is False
    signature.refresh_from_db()
    assert (signature.email_due, signature.email_claimed_at, signature.emails_sent) == ("", None, 0)
    assert mail.outbox == []
    assert deliver_due_email(signature.pk) is False


def test_the_error_summary_reads_cleanly_for_checkbox_and_text_fields(client):
    """A checkbox's label is a sentence: the summary gives only its error, never "describes.: Please accept…"."""
    campaign = make_campaign()
    response = client.post(f"/en/{campaign.slug}/sign/", {"first_name": "", "country": "FR"})
    summary = response.text[response.text.index('class="error-summary"') :]
    summary = summary[: summary.index("</ul>")]
    assert ".:" not in summary
    assert '<a href="#id_accept_privacy">Please accept the privacy notice to sign.</a>' in summary
    assert '<a href="#id_first_name">First name: Please enter your first name.</a>' in summary
