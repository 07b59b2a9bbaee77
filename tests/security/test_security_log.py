"""A client's bad Host header or oversized form is one short warning line in the log, not an error with a traceback."""

import io
import logging

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from petition.securitylog import MESSAGE_LIMIT, ClientMistakesAsWarnings
from tests.factories import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def console():
    """What the configured console handler (LOGGING's, with its filters) writes, in one plain format, while the test runs."""
    handlers = [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, ClientMistakesAsWarnings) for f in handler.filters)
    ]
    assert handlers, "LOGGING's console handler does not have the client-mistakes filter"
    stream = io.StringIO()
    previous = [(handler.setStream(stream), handler.formatter) for handler in handlers]
    for handler in handlers:
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    try:
        yield stream
    finally:
        for handler, (old_stream, old_formatter) in zip(handlers, previous, strict=True):
            handler.setStream(old_stream)
            handler.setFormatter(old_formatter)


def test_a_huge_host_header_is_a_400_and_a_short_warning(client, console):
    host = "evil-" + "a" * 5000 + ".example"

    response = client.get("/", HTTP_HOST=host)

    assert response.status_code == 400
    lines = console.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("WARNING django.security.DisallowedHost Invalid HTTP_HOST header")
    assert len(lines[0]) < MESSAGE_LIMIT + 200
    assert "Traceback" not in console.getvalue()


def test_too_many_form_fields_is_a_400_and_a_short_warning(client, console):
    campaign = make_campaign()
    fields = {f"f{n}": "x" for n in range(django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}

    response = client.post(reverse("signatures:sign", kwargs={"slug": campaign.slug}), fields)

    assert response.status_code == 400
    text = console.getvalue()
    assert text.startswith("WARNING django.security.TooManyFieldsSent")
    assert "ERROR" not in text and "Traceback" not in text


def test_other_loggers_keep_their_level_and_traceback(console):
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("signatures.outbox").exception("drain failed")

    assert console.getvalue().startswith("ERROR signatures.outbox drain failed")
    assert "Traceback" in console.getvalue()
