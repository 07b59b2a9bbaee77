"""LOG_FORMAT=json: one JSON object a line, and still no name, email, address or token in any of them."""

import io
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import IntegrityError
from django.test import RequestFactory
from django.urls import reverse

from petition.jsonlog import JsonFormatter
from signatures.models import Signature
from tests.factories import confirm_token, make_campaign
from tests.security.production import production_env

ROOT = Path(__file__).resolve().parents[2]
FIRST, LAST = "Zéphyrine", "Quatremains"
EMAIL = "Zephyrine.Quatremains+petition@example.net"
POSTCODE = "75011"
CLIENT_IP = "203.0.113.77"
FIELDS = {"time", "level", "logger", "message", "process"}


@pytest.fixture
def json_log():
    """Every logger at DEBUG, written through the JSON formatter into a buffer."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger(name) for name in ["", *logging.root.manager.loggerDict]]
    levels = {logger: logger.level for logger in loggers}
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        if logger is logging.root or not logger.propagate:
            logger.addHandler(handler)
    yield stream
    for logger in loggers:
        logger.setLevel(levels[logger])
        logger.removeHandler(handler)


def entries(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.django_db
def test_a_json_log_of_signing_and_confirming_holds_no_personal_data(
    client, json_log, django_capture_on_commit_callbacks
):
    campaign = make_campaign()
    sign_url = reverse("signatures:sign", kwargs={"slug": campaign.slug})
    form = {
        "first_name": FIRST,
        "last_name": LAST,
        "email": EMAIL,
        "country": "FR",
        "postcode": POSTCODE,
        "contact_consent": "on",
        "accept_privacy": "on",
    }

    client.get(campaign.get_absolute_url(), REMOTE_ADDR=CLIENT_IP)
    assert client.post(sign_url, {**form, "postcode": "not a postcode"}, REMOTE_ADDR=CLIENT_IP).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(sign_url, form, REMOTE_ADDR=CLIENT_IP).status_code == 302
    signature = Signature.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        token = confirm_token(signature)
        confirm = reverse("signatures:confirm", kwargs={"pk": signature.pk, "token": token})
        client.get(confirm, REMOTE_ADDR=CLIENT_IP)
        client.post(confirm, REMOTE_ADDR=CLIENT_IP)
        client.get(confirm.replace(token, "wrong-token"), REMOTE_ADDR=CLIENT_IP)
    signature.refresh_from_db()

    logged = entries(json_log)
    assert signature.status == Signature.Status.CONFIRMED
    assert any(f"signature {signature.pk} confirmed" in entry["message"] for entry in logged), "the flow was not logged"
    text = json_log.getvalue().lower()
    for value in (FIRST, LAST, EMAIL, "zephyrine", "quatremains", POSTCODE, CLIENT_IP, token):
        assert value.lower() not in text, f"{value!r} appears in the JSON log"
    for entry in logged:
        assert FIELDS <= set(entry) <= FIELDS | {"exception", "stack"}, entry


@pytest.mark.unit
def test_an_exception_is_logged_as_its_class_and_stack_without_its_message():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.jsonlog")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            raise IntegrityError(f'duplicate key value violates unique constraint: Key (email)=({EMAIL}) already exists.')
        except IntegrityError:
            logger.exception("signature %s could not be stored", 42)
    finally:
        logger.removeHandler(handler)

    [entry] = entries(stream)
    assert entry["message"] == "signature 42 could not be stored"
    assert entry["level"] == "ERROR" and entry["logger"] == "tests.jsonlog"
    assert entry["exception"] == "django.db.utils.IntegrityError"
    assert "test_json_logs_hold_no_personal_data.py" in entry["stack"]
    assert EMAIL.lower() not in stream.getvalue().lower()


@pytest.mark.unit
def test_the_request_django_attaches_to_a_record_is_never_written():
    request = RequestFactory().get(f"/en/s/confirm/1/secret-token/?email={EMAIL}", REMOTE_ADDR=CLIENT_IP)
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error", (), None)
    record.request = request
    record.status_code = 500

    line = JsonFormatter().format(record)

    assert json.loads(line)["message"] == "Internal Server Error"
    for value in ("secret-token", EMAIL, CLIENT_IP):
        assert value.lower() not in line.lower()


def run_with(log_format: str, *args: str) -> subprocess.CompletedProcess:
    env = production_env(LOG_FORMAT=log_format)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_log_format_json_turns_the_platforms_logs_into_json_lines():
    result = run_with("json", "shell", "-c", "import logging; logging.getLogger('petition.health').warning('health check %s failed', 'cache')")

    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert lines[-1]["message"] == "health check cache failed"
    assert lines[-1]["logger"] == "petition.health" and lines[-1]["level"] == "WARNING"


def test_an_unknown_log_format_is_refused():
    result = run_with("xml", "check")

    assert result.returncode != 0
    assert "LOG_FORMAT is 'xml': use plain (the default) or json" in result.stderr
