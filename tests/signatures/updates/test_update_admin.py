"""Staff drafting and sending updates: who may do what, what the forms refuse, what the audit log holds."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Update, UpdateText
from signatures.models import AuditEntry
from tests.factories import make_campaign, make_organisation, make_staff
from tests.staff import log_in_staff

from .helpers import campaign_with_lead, consenting_signers, make_update

pytestmark = pytest.mark.django_db


def add_post(campaign, organisation, **overrides) -> dict:
    data = {
        "campaign": campaign.pk,
        "organisation": organisation.pk,
        "sender_name": "Digital Rights",
        "fallback_language": "en",
        "texts-TOTAL_FORMS": "2",
        "texts-INITIAL_FORMS": "0",
        "texts-MIN_NUM_FORMS": "1",
        "texts-MAX_NUM_FORMS": "1000",
        "texts-0-language": "en",
        "texts-0-subject": "We handed it in",
        "texts-0-body": "Hello {first_name},\n\n**Thank you.**",
        "texts-1-language": "",
        "texts-1-subject": "",
        "texts-1-body": "",
        "_save": "Save",
    }
    data.update(overrides)
    return data


@pytest.fixture
def communications(client):
    user = make_staff("Communications")
    user.email = "comms@example.org"
    user.save(update_fields=["email"])
    log_in_staff(client, user)
    return user


def test_communications_drafts_an_update_and_lands_on_its_sending_page(client, communications):
    campaign, organisation = campaign_with_lead()
    response = client.post(reverse("admin:campaigns_update_add"), add_post(campaign, organisation))
    update = Update.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:campaigns_update_sending", args=[update.pk])
    assert update.status == Update.Status.DRAFT and update.created_by == communications
    assert update.texts.get().body == "Hello {first_name},\n\n**Thank you.**"


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"texts-0-subject": "   "}, "Write a subject."),
        ({"texts-0-body": "Hi <script>alert(1)</script>"}, "HTML is not allowed in the text."),
        ({"texts-0-body": '<a href="https://x.example">x</a>'}, "HTML is not allowed in the text."),
        ({"texts-1-language": "de", "texts-1-subject": "Neu", "texts-1-body": ""}, "Write the text in this language"),
        ({"fallback_language": "fr"}, "Write a text in the fallback language (Français)"),
        ({"texts-0-subject": "Line\r\nBcc: x@example.org"}, "no line breaks or control characters"),
        ({"texts-0-body": "evil \u202e txet"}, "control or direction-changing characters"),
        ({"sender_name": "<b>Us</b>"}, "neither markup nor control characters"),
    ],
)
def test_it_refuses_bad_drafts_with_a_clear_error(client, communications, overrides, error):
    campaign, organisation = campaign_with_lead()
    response = client.post(reverse("admin:campaigns_update_add"), add_post(campaign, organisation, **overrides))
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Update.objects.exists() and not UpdateText.objects.exists()


def test_it_refuses_an_organisation_that_is_not_a_partner(client, communications):
    campaign, _ = campaign_with_lead()
    stranger = make_organisation(name="Strangers Inc")
    response = client.post(reverse("admin:campaigns_update_add"), add_post(campaign, stranger))
    assert "Strangers Inc is neither the lead nor a partner" in response.content.decode()
    assert not Update.objects.exists()


def test_it_accepts_a_partner_organisation(client, communications):
    campaign, _ = campaign_with_lead()
    partner = make_organisation()
    campaign.partners.add(partner)
    client.post(reverse("admin:campaigns_update_add"), add_post(campaign, partner))
    assert Update.objects.get().organisation == partner


def test_it_shows_the_audience_by_language_and_country(client, communications):
    campaign, organisation = campaign_with_lead()
    consenting_signers(campaign, organisation, 3, country="DE", language="de")
    consenting_signers(campaign, organisation, 2, country="FR", language="fr")
    update = make_update(campaign, organisation)
    page = client.get(reverse("admin:campaigns_update_sending", args=[update.pk])).content.decode()
    assert "Audience: 5 signers" in page
    assert "<td>de</td><td>3</td>" in page and "<td>FR</td><td>2</td>" in page
    assert "Send to 5 signers" in page


def test_the_preview_renders_each_language(client, communications):
    campaign, organisation = campaign_with_lead()
    texts = {"en": ("News on {petition}", "Hello {first_name}"), "de": ("Neues zu {petition}", "Hallo {first_name}")}
    update = make_update(campaign, organisation, texts=texts)
    german = client.get(reverse("admin:campaigns_update_preview", args=[update.pk, "de"])).content.decode()
    english = client.get(reverse("admin:campaigns_update_preview", args=[update.pk, "en"])).content.decode()
    assert "Neues zu Ban biometric mass surveillance" in german and f"Hallo {communications.username}" in german
    assert "News on Ban biometric mass surveillance" in english


def test_a_test_goes_to_the_staff_members_own_address_only(client, communications):
    campaign, organisation = campaign_with_lead()
    consenting_signers(campaign, organisation, 3)
    update = make_update(campaign, organisation)
    client.post(reverse("admin:campaigns_update_test", args=[update.pk]), {"language": "en"})
    assert [message.to for message in mail.outbox] == [["comms@example.org"]]
    assert mail.outbox[0].subject == "[Test] News about Ban biometric mass surveillance"
    update.refresh_from_db()
    assert update.status == Update.Status.DRAFT and not update.recipients.exists()


def test_send_time_in_the_past_is_refused_and_nothing_is_sent(client, communications):
    campaign, organisation = campaign_with_lead()
    consenting_signers(campaign, organisation, 2)
    update = make_update(campaign, organisation)
    past = (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("admin:campaigns_update_send", args=[update.pk]), {"send_at": past})
    assert response.status_code == 400
    assert "That time has passed" in response.content.decode()
    update.refresh_from_db()
    assert update.status == Update.Status.DRAFT
    assert not AuditEntry.objects.exists() and mail.outbox == []


def test_send_schedule_pause_resume_cancel_are_audited_with_who_and_audience(client, communications, settings):
    campaign, organisation = campaign_with_lead()
    consenting_signers(campaign, organisation, 4)
    update = make_update(campaign, organisation)
    later = make_update(campaign, organisation)
    at = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    client.post(reverse("admin:campaigns_update_send", args=[later.pk]), {"send_at": at})
    later.refresh_from_db()
    assert later.status == Update.Status.SCHEDULED and later.send_at > timezone.now()

    # Sent now and started in the worker (eager here), then paused, resumed and cancelled by hand.
    Update.objects.filter(pk=update.pk).update(status=Update.Status.SENDING)
    client.post(reverse("admin:campaigns_update_pause", args=[update.pk]))
    assert Update.objects.get(pk=update.pk).status == Update.Status.PAUSED
    Update.objects.filter(pk=update.pk).update(updated_at=timezone.now())
    client.post(reverse("admin:campaigns_update_cancel", args=[update.pk]))
    assert Update.objects.get(pk=update.pk).status == Update.Status.CANCELLED
    client.post(reverse("admin:campaigns_update_cancel", args=[later.pk]))

    entries = list(AuditEntry.objects.order_by("pk").values_list("action", "actor", "detail"))
    assert [action for action, _, _ in entries] == ["update_scheduled", "update_paused", "update_cancelled", "update_cancelled"]
    assert all(actor == communications.pk for _, actor, _ in entries)
    assert entries[0][2]["audience"] == 4 and entries[0][2]["update"] == later.pk


def test_sending_now_is_audited_and_reaches_the_signers(
    client, communications, settings, django_capture_on_commit_callbacks
):
    campaign, organisation = campaign_with_lead()
    signers = consenting_signers(campaign, organisation, 3)
    update = make_update(campaign, organisation)
    settings.UPDATE_SEND_PER_MINUTE = 0
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:campaigns_update_send", args=[update.pk]), {"send_at": ""})
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.detail["audience"]) == ("update_send", communications, 3)
    update.refresh_from_db()
    assert update.status == Update.Status.DONE and update.sent_count == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.email for s in signers)
    page = client.get(reverse("admin:campaigns_update_sending", args=[update.pk])).content.decode()
    assert 'value="100"' in page and "Send to" not in page
    progress = client.get(reverse("admin:campaigns_update_progress", args=[update.pk])).json()
    assert progress == {
        "status": "done", "status_display": "Sent", "recipients": 3, "sent": 3, "skipped": 0, "failed": 0,
        "percent": 100,
    }  # fmt: skip


def test_a_campaign_manager_may_draft_but_not_send(client):
    manager = make_staff("Campaign managers")
    log_in_staff(client, manager)
    campaign, organisation = campaign_with_lead()
    consenting_signers(campaign, organisation, 2)
    assert client.post(reverse("admin:campaigns_update_add"), add_post(campaign, organisation)).status_code == 302
    update = Update.objects.get()
    page = client.get(reverse("admin:campaigns_update_sending", args=[update.pk])).content.decode()
    assert "Send to 2 signers" not in page
    for name in ("send", "pause", "resume", "cancel"):
        response = client.post(reverse(f"admin:campaigns_update_{name}", args=[update.pk]), {"send_at": ""})
        assert response.status_code == 403, name
    update.refresh_from_db()
    assert update.status == Update.Status.DRAFT and not AuditEntry.objects.exists()


@pytest.mark.parametrize("name", ["sending", "progress", "test", "send", "pause", "resume", "cancel", "change"])
def test_anonymous_visitors_reach_none_of_it(client, name):
    campaign, organisation = campaign_with_lead()
    update = make_update(campaign, organisation)
    url = reverse(f"admin:campaigns_update_{name}", args=[update.pk])
    for response in (client.get(url), client.post(url)):
        assert response.status_code in (302, 405)
        if response.status_code == 302:
            assert "/login/" in response["Location"]
    assert client.get(reverse("admin:campaigns_update_preview", args=[update.pk, "en"])).status_code == 302
    assert Update.objects.get().status == Update.Status.DRAFT


def test_staff_without_a_role_cannot_see_updates(client):
    log_in_staff(client, make_staff())
    update = make_update(make_campaign(), make_organisation())
    assert client.get(reverse("admin:campaigns_update_sending", args=[update.pk])).status_code == 403
    assert client.get(reverse("admin:campaigns_update_progress", args=[update.pk])).status_code == 403


def test_a_preview_in_a_language_without_any_text_is_not_found(client, communications):
    campaign, organisation = campaign_with_lead()
    update = make_update(campaign, organisation, texts={"de": ("Neu", "Hallo")})  # its fallback, en, has no text
    assert client.get(reverse("admin:campaigns_update_preview", args=[update.pk, "fr"])).status_code == 404
    assert client.get(reverse("admin:campaigns_update_preview", args=[update.pk, "x" * 300])).status_code == 404
    response = client.post(reverse("admin:campaigns_update_test", args=[update.pk]), {"language": "fr"}, follow=True)
    assert "This update has no text to test yet." in response.content.decode()
    assert mail.outbox == []


def test_over_long_and_emoji_input_gets_field_errors_or_goes_through_intact(client, communications):
    campaign, organisation = campaign_with_lead()
    response = client.post(
        reverse("admin:campaigns_update_add"),
        add_post(campaign, organisation, **{"texts-0-subject": "x" * 201, "sender_name": "y" * 101}),
    )
    page = response.content.decode()
    assert "Ensure this value has at most 200 characters (it has 201)." in page
    assert "Ensure this value has at most 100 characters (it has 101)." in page
    assert not Update.objects.exists()
    client.post(reverse("admin:campaigns_update_add"), add_post(campaign, organisation, **{"texts-0-subject": "Wir haben es geschafft 🎉"}))
    assert UpdateText.objects.get().subject == "Wir haben es geschafft 🎉"
