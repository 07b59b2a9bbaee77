"""The partner API: good, bad, duplicate and replayed requests, revoked keys, and the per-key rate limit."""

import json

import pytest

from campaigns.api_keys import issue_key, revoke
from signatures.models import ApiRequest, Consent, Signature
from tests.factories import make_campaign, make_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner():
    return make_organisation(name="Friends of Privacy")


@pytest.fixture
def campaign(partner):
    campaign = make_campaign(lead_organisation=make_organisation())
    campaign.partners.add(partner)
    return campaign


@pytest.fixture
def key(partner):
    return issue_key(partner, "website")[1]


def body(**fields):
    data = {
        "first_name": "Marie",
        "last_name": "Curie",
        "email": "marie@example.org",
        "country": "FR",
        "postcode": "75005",
        "accept_privacy": True,
    }
    data.update(fields)
    return {name: value for name, value in data.items() if value is not None}


def post(client, campaign, key, data, **headers):
    extra = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    extra.update({f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()})
    return client.post(
        f"/api/campaigns/{campaign.slug}/signatures/", json.dumps(data), content_type="application/json", **extra
    )


def test_it_records_a_pending_signature_owed_the_confirmation_email(client, campaign, key, partner):
    response = post(client, campaign, key, body(partner_consent=True, language="fr"))

    assert response.status_code == 202
    assert response.json() == {"status": "received", "campaign": campaign.slug, "next_step": "confirmation_email"}
    signature = Signature.objects.get()
    assert signature.status == Signature.Status.PENDING
    assert signature.email_due == Signature.Email.CONFIRM
    assert (signature.source, signature.partner, signature.language) == ("api", partner, "fr")
    consent = Consent.objects.get()
    assert consent.organisation == partner and "Friends of Privacy" in consent.text_shown


def test_it_answers_bad_fields_one_by_one_and_writes_nothing(client, campaign, key):
    response = post(
        client, campaign, key,
        body(email="not-an-address", first_name="Ada\u202e", postcode="ABC", accept_privacy=False),
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"email", "first_name", "postcode", "accept_privacy"}
    assert errors["email"][0]["code"] == "invalid"
    assert not Signature.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        "[1, 2]",
        '"text"',
        "{not json",
        json.dumps({"first_name": ["a"]}),
        # Half a UTF-16 pair, in a field or anywhere in the body: no UTF-8 can hold it.
        json.dumps(body(first_name="Ma\ud800rie")),
        json.dumps(body(note="\udfff")),
        # Deeper than the JSON decoder recurses.
        "[" * 100_000 + "]" * 100_000,
    ],
)
def test_it_refuses_what_is_not_one_signature_with_a_clear_error(client, campaign, key, payload):
    response = client.post(
        f"/api/campaigns/{campaign.slug}/signatures/", payload, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )

    assert response.status_code == 400
    assert response.json()
    assert not Signature.objects.exists()


def test_a_duplicate_gets_the_same_answer_and_no_second_row(client, campaign, key):
    first = post(client, campaign, key, body())
    second = post(client, campaign, key, body(email="Marie+petition@EXAMPLE.org"))

    assert first.status_code == second.status_code == 202
    assert first.json() == second.json()
    assert Signature.objects.count() == 1


def test_a_replayed_request_gets_the_first_answer_once(client, campaign, key):
    first = post(client, campaign, key, body(), **{"Idempotency-Key": "order-1"})
    again = post(client, campaign, key, body(), **{"Idempotency-Key": "order-1"})
    other = post(client, campaign, key, body(email="pierre@example.org"), **{"Idempotency-Key": "order-1"})

    assert first.status_code == again.status_code == 202
    assert again["Idempotent-Replayed"] == "true"
    assert other.status_code == 422
    assert Signature.objects.count() == 1
    assert ApiRequest.objects.count() == 1


def test_the_same_idempotency_key_and_body_for_another_campaign_is_refused_not_replayed(client, campaign, partner, key):
    other_campaign = make_campaign(slug="other-petition", lead_organisation=partner)
    first = post(client, campaign, key, body(), **{"Idempotency-Key": "order-1"})
    elsewhere = post(client, other_campaign, key, body(), **{"Idempotency-Key": "order-1"})

    assert first.status_code == 202
    assert elsewhere.status_code == 422
    assert "Idempotent-Replayed" not in elsewhere
    assert list(Signature.objects.values_list("campaign_id", flat=True)) == [campaign.pk]


def test_a_revoked_or_unknown_key_is_refused(client, campaign, partner):
    api_key, plaintext = issue_key(partner, "old")
    assert post(client, campaign, plaintext, body()).status_code == 202
    revoke([api_key.pk])

    assert post(client, campaign, plaintext, body(email="b@example.org")).status_code == 401
    assert post(client, campaign, "pk_made-up", body(email="c@example.org")).status_code == 401
    missing = post(client, campaign, None, body(email="d@example.org"))
    assert missing.status_code == 401
    assert missing["WWW-Authenticate"] == "Bearer"
    assert Signature.objects.count() == 1
    api_key.refresh_from_db()
    assert api_key.last_used_at is not None


def test_the_key_is_stored_only_as_a_hash(partner):
    api_key, plaintext = issue_key(partner, "crm")

    assert plaintext not in api_key.key_hash and api_key.prefix == plaintext[:10]
    assert len(plaintext) > 40


def test_each_key_has_its_own_rate_limit(client, campaign, partner, settings):
    settings.PARTNER_API_RATE = "3/min"
    busy, calm = issue_key(partner, "busy")[1], issue_key(partner, "calm")[1]

    answers = [post(client, campaign, busy, body(email=f"s{n}@example.org")).status_code for n in range(4)]

    assert answers == [202, 202, 202, 429]
    assert post(client, campaign, calm, body(email="calm@example.org")).status_code == 202


def test_a_closed_or_unknown_campaign_is_refused(client, campaign, key):
    campaign.status = campaign.Status.CLOSED
    campaign.save()

    assert post(client, campaign, key, body()).status_code == 409
    assert client.post(
        "/api/campaigns/nope/signatures/", "{}", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
    ).status_code == 404
    assert not Signature.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("first_name", "A" * 5000),
        ("last_name", "Null\x00byte"),
        ("first_name", "Emoji 🎉"),
        ("last_name", "\u202eevil"),
        ("email", "a@" + "b" * 300 + ".org"),
        ("country", "ZZ"),
        ("postcode", "9" * 100),
        ("first_name", 12345),
        ("accept_privacy", "yes"),
    ],
)
def test_nasty_input_gets_a_field_error_not_a_crash(client, campaign, key, field, value):
    response = post(client, campaign, key, body(**{field: value}))

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Signature.objects.exists()
