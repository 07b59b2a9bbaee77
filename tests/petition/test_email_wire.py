"""Email.wire_bytes writes what Django's SMTP backend would send for the message, byte for byte."""

import random
from unittest import mock

import pytest
from django.core.mail import BadHeaderError

from petition import emails, header_folding
from petition.emails import Email, compose_email

pytestmark = pytest.mark.unit

SUBJECTS = [
    "Please confirm your signature: Ban biometric mass surveillance",
    "Please confirm your signature: " + "a very long plain subject " * 6,
    "Veuillez confirmer votre signature\u00a0: Non à la surveillance biométrique de masse dans l’espace public",
    "Παρακαλούμε επιβεβαιώστε την υπογραφή σας: " + "Η βιομετρική μαζική παρακολούθηση " * 3,
    "確認してください",
]
TEXTS = [
    "Hello Ada,\n\nThank you for signing “Ban it”.\n\nhttps://example.org/en/s/1/confirm/abc/\n",
    "No line break at the end",
    "Windows\r\nand old Mac\rline breaks\n.a dot first\nFrom the start\n",
    "Ἀριστοτέλης " * 40 + "\n" + "x" * 990 + "\n",
]
ADDRESSES = ["ada@example.org", "zoe@xn--bcher-kva.example", "Zoë Müller <zoe@example.org>", "o'brien+tag@example.org"]
FROM = ["petition@example.org", "Stop Surveillance <petition@example.org>", "Coalition Liberté <petition@example.org>"]


def django_bytes(message: Email) -> bytes:
    return message.message().as_bytes(linesep="\r\n")


def same_moment():
    """Date, Message-ID and boundary as both ways draw them, fixed so the bytes can be compared."""
    return mock.patch.multiple(
        "django.core.mail.message", formatdate=lambda **kw: "Thu, 03 Dec 2026 12:00:00 -0000",
        make_msgid=lambda **kw: "<1.2.3@example.org>",
    ), mock.patch.multiple(
        emails, formatdate=lambda **kw: "Thu, 03 Dec 2026 12:00:00 -0000",
        make_msgid=lambda **kw: "<1.2.3@example.org>", new_boundary=lambda: "===============" + "0123456789abcdef" * 2 + "==",
    )


@pytest.mark.parametrize("seed", range(40))
def test_the_bytes_are_what_djangos_backend_would_send(settings, seed):
    chance = random.Random(seed)
    settings.DEFAULT_FROM_EMAIL = chance.choice(FROM)
    url = "https://petition.example.org/" + chance.choice(["en", "fr", "el"]) + "/signatures/12345/unsubscribe-all/" + "A" * chance.randint(10, 300) + "/"
    headers = {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    if chance.random() < 0.3:
        headers = {"Content-Language": "fr", **headers}
    message = compose_email(
        chance.choice(SUBJECTS),
        chance.choice(TEXTS),
        "<p>" + chance.choice(TEXTS).replace("\n", "<br>\n") + "</p>",
        [chance.choice(ADDRESSES)],
        headers=headers,
    )
    first, second = same_moment()
    with first, second:
        assert message.wire_bytes() == django_bytes(message)


def test_it_leaves_what_it_does_not_write_to_django():
    long_line = compose_email("Subject", "x" * 999, "<p>x</p>", ["ada@example.org"])
    assert long_line.wire_bytes() is None
    with_cc = compose_email("Subject", "Text", "<p>Text</p>", ["ada@example.org"])
    with_cc.cc = ["bob@example.org"]
    assert with_cc.wire_bytes() is None
    own_date = compose_email("Subject", "Text", "<p>Text</p>", ["ada@example.org"], headers={"Date": "yesterday"})
    assert own_date.wire_bytes() is None
    assert compose_email("Subject", "Text", "<p>Text</p>", ["ada@example.org"]).wire_bytes().endswith(b"--\r\n")


def test_it_refuses_line_breaks_in_headers_as_django_does():
    message = compose_email("Subject", "Text", "<p>Text</p>", ["ada@example.org"], headers={"List-Unsubscribe": "<a>\r\nBcc: x@example.org"})
    with pytest.raises(BadHeaderError):
        message.wire_bytes()
    message = Email("Sujet à\nBcc: x@example.org", "Text", "petition@example.org", ["ada@example.org"])
    message.attach_alternative("<p>Text</p>", "text/html")
    with pytest.raises(BadHeaderError):
        message.wire_bytes()


@pytest.mark.parametrize("seed", range(5))
def test_the_content_type_line_is_folded_as_compat32_folds_it(seed):
    chance = random.Random(seed)
    boundaries = [emails.new_boundary() for _ in range(200)]
    # Other shapes go through compat32's folding itself.
    boundaries += ["=" * chance.randint(0, 40) + "ab" * chance.randint(0, 40) + " x" * chance.randint(0, 3) for _ in range(50)]
    for boundary in boundaries:
        expected = header_folding.WIRE_POLICY.fold_binary("Content-Type", f'multipart/alternative; boundary="{boundary}"')
        assert emails.multipart_content_type(boundary) == expected


def djangos_line_check(text: str) -> bool:
    """What django.core.mail.message.SafeMIMEText checks before it falls back to quoted-printable."""
    return all(len(line.encode(errors="surrogateescape")) <= 998 for line in text.splitlines())


@pytest.mark.parametrize("seed", range(20))
def test_a_part_is_sent_as_it_is_only_when_django_would_send_it_so(seed):
    chance = random.Random(seed)
    breaks = ["\n", "\r\n", "\r"]
    other_breaks = ["\u2028", "\x85", "\x0b", "\x0c", "\x1c"]
    characters = ["x", "é", "用", "😀", " ", "\udcff"]
    agreed = 0
    for _ in range(300):
        lines = [
            "".join(chance.choice(characters) for _ in range(chance.choice([0, 10, 240, 250, 330, 500, 997, 998, 999])))
            for _ in range(chance.randint(1, 4))
        ]
        text = "".join(line + chance.choice(breaks) for line in lines)
        assert emails.fits_8bit(text) == djangos_line_check(text), text
        agreed += emails.fits_8bit(text)
        # Line breaks only str.splitlines() knows: never sent as it is where Django would encode it.
        joined = chance.choice(other_breaks).join(lines)
        assert not emails.fits_8bit(joined) or djangos_line_check(joined)
    assert 0 < agreed < 300
