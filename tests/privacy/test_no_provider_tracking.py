"""Through an email service, emails go out with no open pixel and no click-tracking redirects.

Mailjet tracks opens and clicks unless told otherwise per message, and any
provider may have it switched on for the account: its redirects would carry
every signer's confirm, withdraw and unsubscribe links through its servers.
Settings load once per process, so each provider is tried in a process of its own.
"""

import json
import os
import subprocess
import sys

import pytest

from tests.realstack import PROJECT

PROVIDER_ENVIRONMENT = {
    "DEBUG": "1",
    "POSTMARK_SERVER_TOKEN": "server-token",
    "MAILGUN_API_KEY": "key",
    "MAILGUN_SENDER_DOMAIN": "mg.example.org",
    "MAILGUN_WEBHOOK_SIGNING_KEY": "signing-key",
    "MAILJET_API_KEY": "key",
    "MAILJET_SECRET_KEY": "secret",
}

PAYLOAD = """
import json
from django.core.mail import get_connection
from petition.emails import compose_email
backend = get_connection()
message = compose_email("Subject", "https://petition.example.org/en/s/confirm/1/t/", "<p>x</p>", ["signer@example.org"])
data = backend.build_message_payload(message, backend.send_defaults).data
print(json.dumps(data.get("Globals", data), default=str))
"""


def payload_through(provider: str) -> dict:
    env = {**os.environ, **PROVIDER_ENVIRONMENT, "EMAIL_PROVIDER": provider}
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PAYLOAD],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120, check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("provider", "clicks", "opens"),
    [
        ("postmark", ("TrackLinks", "None"), ("TrackOpens", False)),
        ("mailgun", ("o:tracking-clicks", "no"), ("o:tracking-opens", "no")),
        ("mailjet", ("TrackClicks", "disabled"), ("TrackOpens", "disabled")),
    ],
)
def test_the_provider_is_told_to_track_neither_opens_nor_clicks(provider, clicks, opens):
    data = payload_through(provider)

    assert data.get(clicks[0]) == clicks[1]
    assert data.get(opens[0]) == opens[1]
