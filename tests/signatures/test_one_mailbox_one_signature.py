"""Spellings of one mailbox (invisible or look-alike characters in the domain) make one signature."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from signatures.mailboxes import recompute_canonical_addresses
from signatures.models import AuditEntry, Signature
from tests.factories import make_campaign, make_signature, sign_data

pytestmark = pytest.mark.django_db

SPELLINGS = [
    "marie@example.org",
    "marie@exam\u200bple.org",  # zero-width space
    "marie@exam\u00adple.org",  # soft hyphen
    "marie@exa\u200cmple.org",  # zero-width non-joiner
    "marie@ｅxample.org",  # fullwidth e
    "marie@example．org",  # fullwidth full stop
]


def test_five_spellings_of_one_mailbox_record_one_signature_and_mail_it_once(client, django_capture_on_commit_callbacks):
    campaign = make_campaign()
    url = reverse("signatures:sign", kwargs={"slug": campaign.slug})
    for email in SPELLINGS:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, sign_data(email=email))
        assert response.status_code == 302, email

    signature = Signature.objects.get()
    assert signature.email_canonical == "marie@example.org"
    # The first email is the confirmation; every later sign-up asked for it again (at most five in all).
    assert {tuple(message.to) for message in mail.outbox} == {("marie@example.org",)}


@pytest.mark.parametrize("email", ["marie@bü_cher.de", "marie@" + "ü" * 64 + ".de", "marie@-bücher.de"])
def test_the_form_refuses_a_domain_no_mail_could_reach_with_a_clear_message(client, email):
    campaign = make_campaign()
    response = client.post(reverse("signatures:sign", kwargs={"slug": campaign.slug}), sign_data(email=email))
    assert response.status_code == 400
    assert "The part after the @ cannot be used for email" in response.content.decode()
    assert not Signature.objects.exists()


def test_the_migration_keeps_the_earliest_row_and_marks_the_others_as_duplicates_for_moderators():
    campaign, other_campaign = make_campaign(), make_campaign()
    earlier = timezone.now() - timezone.timedelta(days=3)
    # As the old rule stored them: only lower-cased, so each spelling was "new".
    first = make_signature(campaign, email="marie@ｅxample.org", email_canonical="marie@ｅxample.org", status="confirmed")
    Signature.objects.filter(pk=first.pk).update(created_at=earlier)
    plain = make_signature(campaign, email="marie@example.org", status="confirmed", is_counted=True)
    hidden = make_signature(campaign, email="marie@exam\u200bple.org", email_canonical="marie@exam\u200bple.org")
    elsewhere = make_signature(other_campaign, email="marie@exam\u00adple.org", email_canonical="marie@exam\u00adple.org")

    assert recompute_canonical_addresses(Signature, AuditEntry) == 2

    rows = {row.pk: row for row in Signature.objects.all()}
    assert rows[first.pk].email_canonical == "marie@example.org"
    assert rows[first.pk].duplicate_of_id is None and rows[first.pk].status == "confirmed"
    for duplicate in (plain, hidden):
        row = rows[duplicate.pk]
        assert row.duplicate_of_id == first.pk
        assert row.status == "rejected" and row.rejection_reason.startswith("duplicate")
        assert row.email == duplicate.email, "nothing is lost"
    # Another campaign's row is that campaign's one signature.
    assert rows[elsewhere.pk].email_canonical == "marie@example.org" and rows[elsewhere.pk].duplicate_of_id is None
    assert AuditEntry.objects.get(action="duplicate_mailboxes_marked").detail["count"] == 2
    # The constraint still guards the live rows.
    with pytest.raises(Exception, match="one_signature_per_email_per_campaign"):
        make_signature(campaign, email="marie@example.org")
