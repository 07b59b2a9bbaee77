"""Sending an update through a real SMTP server: every consenting signer exactly once, nobody else."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from campaigns.models import Update
from petition import prepared
from signatures.models import UpdateRecipient
from signatures.tasks import sweep_updates
from signatures.updates import control, sending
from signatures.updates.starting import begin_sending
from tests.factories import make_signature, make_staff
from tests.realstack import text_body

from .conftest import recipients
from .helpers import campaign_with_lead, consenting_signers, make_update, ready_to_send


@pytest.mark.django_db
def test_it_sends_each_consenting_signer_one_personal_message(smtp, settings):
    settings.UPDATE_BATCH_SIZE = 3
    campaign, organisation = campaign_with_lead()
    signers = consenting_signers(campaign, organisation, 7)
    make_signature(campaign, status="confirmed", email="no-consent@example.org")
    update = ready_to_send(make_update(campaign, organisation, sender_name="Digital Rights Team"))

    assert begin_sending(update.pk)
    assert sending.run(update.pk) == 7

    assert recipients(smtp) == sorted(s.email for s in signers)
    update.refresh_from_db()
    assert update.status == Update.Status.DONE
    assert (update.recipient_count, update.sent_count, update.skipped_count, update.failed_count) == (7, 7, 0, 0)
    assert update.progress_percent() == 100
    message = next(m for m in smtp.messages if str(m["To"]) == signers[0].email)
    assert message["Subject"] == "News about Ban biometric mass surveillance"
    assert "Digital Rights Team" in str(message["From"])
    body = text_body(message)
    assert body.startswith(f"Hello {signers[0].first_name},")
    assert "/unsubscribe/" in message["List-Unsubscribe"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert str(message["List-Unsubscribe"]).strip(" <>") in body
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "<strong>Ban biometric mass surveillance</strong>" in html


@pytest.mark.django_db
def test_it_sends_nothing_more_when_run_again(smtp):
    campaign, organisation = campaign_with_lead()
    consenting_signers(campaign, organisation, 3)
    update = ready_to_send(make_update(campaign, organisation))
    begin_sending(update.pk)
    sending.run(update.pk)

    assert not begin_sending(update.pk)
    assert sending.run(update.pk) == 0
    assert len(smtp.messages) == 3


@pytest.mark.django_db
def test_it_uses_the_signers_language_and_falls_back(smtp):
    campaign, organisation = campaign_with_lead()
    german = consenting_signers(campaign, organisation, 1, language="de")[0]
    polish = consenting_signers(campaign, organisation, 1, language="pl")[0]
    texts = {"en": ("News", "Hello {name}"), "de": ("Neuigkeiten", "Hallo {name}")}
    update = ready_to_send(make_update(campaign, organisation, texts=texts))
    begin_sending(update.pk)
    sending.run(update.pk)

    subjects = {str(m["To"]): str(m["Subject"]) for m in smtp.messages}
    assert subjects == {german.email: "Neuigkeiten", polish.email: "News"}


@pytest.mark.django_db
def test_it_escapes_a_signers_name_in_the_html(smtp):
    campaign, organisation = campaign_with_lead()
    consenting_signers(campaign, organisation, 1, first_name="Zoë <b>&amp;")
    update = ready_to_send(make_update(campaign, organisation, texts={"en": ("Hi", "Dear {first_name}")}))
    begin_sending(update.pk)
    sending.run(update.pk)

    html = smtp.messages[0].get_body(preferencelist=("html",)).get_content()
    assert "Dear Zoë &lt;b&gt;&amp;amp;" in html


@pytest.mark.django_db(transaction=True)
def test_racing_workers_send_each_message_once(smtp, settings):
    settings.UPDATE_BATCH_SIZE = 5
    campaign, organisation = campaign_with_lead()
    signers = consenting_signers(campaign, organisation, 60)
    update = ready_to_send(make_update(campaign, organisation))
    begin_sending(update.pk)
    sent = []

    def worker():
        try:
            sent.append(sending.run(update.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sum(sent) == 60
    assert recipients(smtp) == sorted(s.email for s in signers)
    assert UpdateRecipient.objects.filter(update=update, status="sent").count() == 60
    update.refresh_from_db()
    assert update.status == Update.Status.DONE and update.sent_count == 60


@pytest.mark.django_db
def test_a_scheduled_update_starts_when_due_and_not_before(smtp, django_capture_on_commit_callbacks):
    campaign, organisation = campaign_with_lead()
    consenting_signers(campaign, organisation, 2)
    update = make_update(campaign, organisation)
    Update.objects.filter(pk=update.pk).update(status="scheduled", send_at=timezone.now() + timedelta(minutes=5))

    sweep_updates.run()
    assert smtp.messages == [] and Update.objects.get(pk=update.pk).status == "scheduled"

    Update.objects.filter(pk=update.pk).update(send_at=timezone.now() - timedelta(seconds=1))
    sweep_updates.run()
    assert len(smtp.messages) == 2 and Update.objects.get(pk=update.pk).status == "done"


@pytest.mark.django_db
def test_a_paused_update_sends_nothing_until_resumed_and_a_cancelled_one_nothing_more(
    smtp, django_capture_on_commit_callbacks
):
    campaign, organisation = campaign_with_lead()
    consenting_signers(campaign, organisation, 4)
    staff = make_staff()
    update = ready_to_send(make_update(campaign, organisation))
    begin_sending(update.pk)
    assert control.pause(update, staff)
    assert sending.run(update.pk) == 0 and smtp.messages == []

    with django_capture_on_commit_callbacks(execute=True):
        assert control.resume(update, staff)
    assert len(smtp.messages) == 4

    other = ready_to_send(make_update(campaign, organisation))
    begin_sending(other.pk)
    assert control.cancel(other, staff)
    assert sending.run(other.pk) == 0 and len(smtp.messages) == 4
    other.refresh_from_db()
    assert other.status == "cancelled" and other.recipient_count == 4 and other.sent_count == 0


@pytest.mark.django_db
def test_a_worker_leaves_none_of_its_prepared_statements_in_the_session(smtp, settings):
    settings.UPDATE_BATCH_SIZE = 2
    campaign, organisation = campaign_with_lead()
    consenting_signers(campaign, organisation, 5)
    update = ready_to_send(make_update(campaign, organisation))
    begin_sending(update.pk)

    assert sending.run(update.pk) == 5

    # The statements every signature runs stay prepared for the connection's life (petition.prepared); no others.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name <> ALL(%s)", [list(prepared.STATEMENTS)])
        assert cursor.fetchone() == (0,)
