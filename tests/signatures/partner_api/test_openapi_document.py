"""The OpenAPI document describes what the API really answers: each real response is checked against it."""

import json

import jsonschema
import pytest

from campaigns.api_keys import issue_key
from tests.factories import make_campaign, make_organisation

pytestmark = pytest.mark.django_db


def as_json_schema(node):
    """OpenAPI 3.0's schema dialect as JSON Schema: nullable becomes a null alternative."""
    if isinstance(node, list):
        return [as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: as_json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


@pytest.fixture
def document(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return json.loads(response.content)


def check(document, path: str, method: str, response) -> None:
    operation = document["paths"][path][method]
    described = operation["responses"].get(str(response.status_code))
    assert described, f"{method.upper()} {path} answered {response.status_code}, which the document does not list"
    schema = described["content"]["application/json"]["schema"]
    root = {"components": as_json_schema(document["components"]), **as_json_schema(schema)}
    jsonschema.validate(json.loads(response.content), root)


def test_the_document_lists_the_count_and_signature_endpoints(document):
    assert {"/api/campaigns/", "/api/campaigns/{slug}/", "/api/campaigns/{slug}/signatures/"} <= set(document["paths"])
    assert document["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"


def test_the_count_endpoints_answer_as_documented(client, document):
    campaign = make_campaign(eci_thresholds=True)
    make_campaign(status="closed")

    check(document, "/api/campaigns/", "get", client.get("/api/campaigns/"))
    check(document, "/api/campaigns/{slug}/", "get", client.get(f"/api/campaigns/{campaign.slug}/"))
    check(document, "/api/campaigns/{slug}/", "get", client.get("/api/campaigns/nothing-here/"))


def test_the_signature_endpoint_answers_as_documented(client, document, settings):
    settings.PARTNER_API_RATE = "4/min"
    partner = make_organisation()
    campaign = make_campaign(lead_organisation=partner)
    key = issue_key(partner, "docs")[1]
    path = f"/api/campaigns/{campaign.slug}/signatures/"
    good = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org", "country": "GB",
            "postcode": "SW1A 1AA", "accept_privacy": True}

    def post(data, key=key, **headers):
        auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
        return client.post(path, json.dumps(data), content_type="application/json", **auth, **headers)

    answers = [
        post(good, HTTP_IDEMPOTENCY_KEY="k1"),
        post({**good, "email": "x"}),
        post({**good, "email": "other@example.org"}, HTTP_IDEMPOTENCY_KEY="k1"),
        post(good, key=None),
        post(good, key="pk_unknown"),
        post(good),
        post(good),
    ]
    assert [answer.status_code for answer in answers] == [202, 400, 422, 401, 401, 202, 429]
    for answer in answers:
        check(document, "/api/campaigns/{slug}/signatures/", "post", answer)
