"""A dump of the database opens no link: confirm, withdraw and unsubscribe tokens are derived, never stored."""

import re
import subprocess

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from signatures import links
from signatures.models import Signature
from tests.factories import make_campaign, make_consent, make_organisation, sign_data

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN_IN_LINK = re.compile(r"/s/(?:confirm|withdraw|unsubscribe)/\d+/([\w-]+)/")


def dump_of_the_signatures_tables() -> str:
    db = connection.settings_dict
    command = ["pg_dump", "--data-only", "--table=signatures_*", "-h", db["HOST"] or "127.0.0.1"]
    command += ["-p", str(db["PORT"] or 5432), "-U", db["USER"], db["NAME"]]
    env = {"PGPASSWORD": db["PASSWORD"] or ""}
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=120, env=env).stdout


def test_no_token_from_the_emailed_links_is_in_a_dump_after_signing_and_confirming(client, settings):
    campaign = make_campaign(lead_organisation=make_organisation())
    client.post(reverse("signatures:sign", kwargs={"slug": campaign.slug}), sign_data(contact_consent="on"))
    signature = Signature.objects.get()
    make_consent(signature, make_organisation())
    # A second email (already signed) after confirming: more links, more tokens.
    [confirmation] = mail.outbox
    confirm = re.search(r"http://testserver(/en/s/confirm/\S+/)", confirmation.body).group(1)
    assert client.post(confirm).status_code == 200
    client.post(reverse("signatures:sign", kwargs={"slug": campaign.slug}), sign_data(email=signature.email))

    sent = "\n".join(
        [message.body for message in mail.outbox]
        + [html for message in mail.outbox for html, _ in message.alternatives]
        + [value for message in mail.outbox for value in message.extra_headers.values()]
    )
    tokens = set(TOKEN_IN_LINK.findall(sent))
    assert len(tokens) >= 4, "confirm, withdraw, unsubscribe-all and one organisation's unsubscribe"
    assert Signature.objects.get().status == "confirmed"

    dump = dump_of_the_signatures_tables()
    assert signature.email in dump, "the dump holds the table's data"
    for token in tokens:
        assert token not in dump
    # Neither does the keyed hash of a link token match anything a dump reader could test a guess against.
    assert links.legacy_token_hash(next(iter(tokens))) not in dump
