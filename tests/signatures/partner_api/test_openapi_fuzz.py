"""Schemathesis drives every operation of the OpenAPI document with generated requests, in process:
no answer may be a server error or differ from what the document says (status, content type, body)."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance, unsupported_method

from campaigns.api_keys import issue_key
from tests.factories import make_campaign, make_organisation

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.fixture
def keep_test_connection():
    """As Django's test client does: the test's transaction must outlive each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_key(db, keep_test_connection):
    partner = make_organisation()
    make_campaign(slug="fuzz", lead_organisation=partner)
    return issue_key(partner, "fuzz")[1]


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_answer_matches_the_document(case, api_key):
    if "slug" in (case.path_parameters or {}) and case.operation.method.upper() == "POST":
        case.path_parameters["slug"] = "fuzz"
    # The sign form refuses much that a JSON schema cannot express (symbols in names, postcodes that do not fit
    # the country, disposable addresses), so a schema-valid body may rightly get 400 with its field errors.
    # Methods the document does not list meet Django's CSRF check before the views' 405, and get 403.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {api_key}"},
        excluded_checks=[positive_data_acceptance, unsupported_method],
    )
