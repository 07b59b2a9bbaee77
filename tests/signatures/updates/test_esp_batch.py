"""With Mailgun behind django-anymail, an update goes out as one batch call per language (mocked at HTTP)."""

import json

import pytest
import requests

from campaigns.models import Update
from signatures.updates import sending
from signatures.updates.starting import begin_sending

from .helpers import campaign_with_lead, consenting_signers, make_update, ready_to_send

pytestmark = pytest.mark.django_db


class FakeMailgun:
    """Mailgun's messages API as seen from requests: records each call, answers like Mailgun."""

    def __init__(self, status=200):
        self.calls = []
        self.status = status

    def __call__(self, method=None, url=None, **kwargs):
        self.calls.append({"url": url, "data": kwargs.get("data")})
        response = requests.Response()
        response.status_code = self.status
        body = {"id": "<20261203.1@mg.example.org>", "message": "Queued. Thank you."}
        if self.status != 200:
            body = {"message": "Service unavailable"}
        response._content = json.dumps(body).encode()
        response.headers["Content-Type"] = "application/json"
        response.url = url
        return response


@pytest.fixture
def mailgun(settings, monkeypatch):
    settings.EMAIL_BACKEND = "anymail.backends.mailgun.EmailBackend"
    settings.ANYMAIL = {"MAILGUN_API_KEY": "test-key", "MAILGUN_SENDER_DOMAIN": "mg.example.org"}
    settings.UPDATE_SEND_PER_MINUTE = 0
    fake = FakeMailgun()
    monkeypatch.setattr(requests.Session, "request", fake)
    return fake


def field(data, name) -> list:
    """Every value of a form field, whether requests was given a dict or a list of pairs."""
    if isinstance(data, dict):
        value = data.get(name)
        return value if isinstance(value, list) else [value]
    return [value for key, value in data if key == name]


def test_it_sends_one_batch_call_per_language_with_each_signers_links(mailgun):
    campaign, organisation = campaign_with_lead()
    english = consenting_signers(campaign, organisation, 3, language="en")
    german = consenting_signers(campaign, organisation, 2, language="de")
    gone = consenting_signers(campaign, organisation, 1)[0]
    gone.consents.update(withdrawn_at="2026-01-01T00:00:00Z")
    texts = {"en": ("News", "Hello {first_name}"), "de": ("Neues", "Hallo {first_name}")}
    update = ready_to_send(make_update(campaign, organisation, texts=texts))
    begin_sending(update.pk)

    assert sending.run(update.pk) == 5
    update.refresh_from_db()

    assert len(mailgun.calls) == 2
    batches = {}
    for call in mailgun.calls:
        data = call["data"]
        to = field(data, "to")
        variables = json.loads(field(data, "recipient-variables")[0])
        batches[field(data, "subject")[0]] = (sorted(to), variables, field(data, "text")[0], data)
    assert batches["News"][0] == sorted(s.email for s in english)
    assert batches["Neues"][0] == sorted(s.email for s in german)
    variables = batches["News"][1][english[0].email]
    assert variables["first_name"] == english[0].first_name
    assert f"/unsubscribe/{english[0].pk}/" in variables["unsubscribe_url"]
    assert "Hello %recipient.first_name%" in batches["News"][2]
    assert "%recipient.unsubscribe_url%" in batches["News"][2]
    assert field(batches["News"][3], "h:List-Unsubscribe") == ["<%recipient.unsubscribe_url%>"]
    assert (update.status, update.sent_count, update.recipient_count) == (Update.Status.DONE, 5, 5)


def test_a_provider_outage_leaves_everyone_waiting_for_the_next_try(mailgun, monkeypatch):
    mailgun.status = 503
    monkeypatch.setattr(sending.time, "sleep", lambda seconds: (_ for _ in ()).throw(KeyboardInterrupt))
    campaign, organisation = campaign_with_lead()
    consenting_signers(campaign, organisation, 3)
    update = ready_to_send(make_update(campaign, organisation))
    begin_sending(update.pk)

    with pytest.raises(KeyboardInterrupt):
        sending.run(update.pk)

    assert len(mailgun.calls) == 1
    assert sorted(update.recipients.values_list("status", flat=True)) == ["pending"] * 3
    update.refresh_from_db()
    assert update.status == Update.Status.SENDING and update.sent_count == 0
