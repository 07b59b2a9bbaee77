"""The count endpoints in the OpenAPI document: they are plain Django views (kept so for their caching)."""

from django.conf import settings

CAMPAIGN = {
    "type": "object",
    "required": ["slug", "title", "url", "language", "status", "goal", "signature_count", "by_country",
                 "next_milestone", "updated_at"],
    "properties": {
        "slug": {"type": "string"},
        "title": {"type": "string"},
        "url": {"type": "string", "format": "uri"},
        "language": {"type": "string"},
        "status": {"type": "string", "enum": ["upcoming", "open", "closed"]},
        "goal": {"type": "integer", "minimum": 1},
        "signature_count": {"type": "integer", "minimum": 0, "description": "Verified signatures: online and paper"},
        "online_count": {"type": "integer", "minimum": 0},
        "paper_count": {"type": "integer", "minimum": 0, "description": "Paper signatures, verified by staff"},
        "by_country": {"type": "object", "additionalProperties": {"type": "integer"}},
        "next_milestone": {
            "type": "object",
            "nullable": True,
            "required": ["threshold", "remaining"],
            "properties": {"threshold": {"type": "integer"}, "remaining": {"type": "integer"}},
        },
        "updated_at": {"type": "string", "format": "date-time"},
        "eci": {"type": "object", "description": "Per-country progress toward the ECI thresholds, when enabled"},
    },
}
NOT_FOUND = {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}}


def json_response(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def add_count_endpoints(result, generator, request, public):
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["CampaignCount"] = CAMPAIGN
    components["CountNotFound"] = NOT_FOUND
    reference = {"$ref": "#/components/schemas/CampaignCount"}
    caching = (
        f"Cached publicly for {int(settings.COUNT_FOLD_SECONDS)} s; conditional requests with ETag and "
        "Last-Modified are answered 304."
    )
    paths = result.setdefault("paths", {})
    paths["/api/campaigns/"] = {
        "get": {
            "operationId": "list_campaign_counts",
            "summary": "Every public campaign's count",
            "description": caching,
            "tags": ["counts"],
            "security": [],
            "responses": {
                "200": json_response(
                    {"type": "object", "required": ["campaigns"],
                     "properties": {"campaigns": {"type": "array", "items": reference}}},
                    "Open campaigns first, then closed ones",
                )
            },
        }
    }
    paths["/api/campaigns/{slug}/"] = {
        "get": {
            "operationId": "get_campaign_count",
            "summary": "One public campaign's count",
            "description": caching,
            "tags": ["counts"],
            "security": [],
            "parameters": [
                {"name": "slug", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"}}
            ],
            "responses": {
                "200": json_response(reference, "The campaign's count"),
                "404": json_response({"$ref": "#/components/schemas/CountNotFound"}, "No public campaign has it"),
            },
        }
    }
    return result
