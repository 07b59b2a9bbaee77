"""The benchmark's SMTP sink finds the confirmation link however the message's body is encoded."""

from email.message import EmailMessage

import pytest

from bench.smtp_sink import confirm_path

pytestmark = pytest.mark.unit

LINK = "https://petition.example.org/fr/s/confirm/123456/" + "Ab_-" * 10 + "xyz/"
PATH = LINK.split("petition.example.org", 1)[1]


def message(body: str, encoding: str) -> bytes:
    email = EmailMessage()
    email["Subject"] = "Confirmez votre signature"
    email.set_content(body, charset="utf-8", cte=encoding)
    return email.as_bytes()


@pytest.mark.parametrize("encoding", ["8bit", "quoted-printable", "base64"])
def test_it_finds_the_link_in_any_body_encoding(encoding):
    body = "Merci d’avoir signé. " + "Confirmez ici, s’il vous plaît : " * 3 + LINK + "\n"

    assert confirm_path(message(body, encoding)) == PATH


def test_a_message_without_a_link_is_recorded_as_such():
    assert confirm_path(message("Nouvelles de la campagne.\n", "8bit")) == "-"
