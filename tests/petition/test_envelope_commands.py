"""mailer.sendmail says to a real SMTP server what smtplib's sendmail says, and fails as it fails."""

import smtplib

import pytest

from petition import mailer
from tests.faults.servers import recording_smtp_server

DATA = b"Subject: Confirm\r\nTo: ann@example.org\r\n\r\nPlease confirm.\r\n"


def attempt(send, *args):
    """What a send returned or raised, comparable between the two ways."""
    try:
        return ("returned", send(*args))
    except smtplib.SMTPException as exc:
        return (type(exc).__name__, exc.args)


def send_both_ways(sender, recipients, setup=lambda handler: None):
    """Send once with mailer.sendmail and once with smtplib's, each to a fresh server; what each saw and gave."""
    seen = []
    for send in (mailer.sendmail, lambda smtp, *args: smtp.sendmail(*args)):
        with recording_smtp_server() as (controller, handler):
            setup(handler)
            with smtplib.SMTP(controller.hostname, controller.port, timeout=5) as smtp:
                result = attempt(send, smtp, sender, recipients, DATA)
                connected = smtp.sock is not None
            envelopes = [(e.mail_from, e.mail_options, e.rcpt_tos, e.content) for e in handler.messages]
            seen.append((result[0], result[1] if result[0] != "returned" else None, connected, envelopes))
    return seen


@pytest.mark.parametrize(
    ("sender", "recipients"),
    [
        ("petition@example.org", ["ann@example.org"]),
        ("=?utf-8?q?Coalition_Libert=C3=A9?= <petition@example.org>", ["o'brien+tag@example.org"]),
        ("Stop Surveillance <petition@example.org>", ["ann@xn--bcher-kva.example", '"a b"@example.org']),
        ("petition@example.org", ["Ann <ann@example.org>", "bob@example.org"]),
    ],
)
def test_the_envelope_is_the_one_smtplib_sends(sender, recipients):
    ours, smtplibs = send_both_ways(sender, recipients)

    assert ours == smtplibs
    assert ours[0] == "returned" and len(ours[3]) == 1
    assert any(option.lower().startswith("size=") for option in ours[3][0][1])


def mail_options(data: bytes) -> list[str]:
    with recording_smtp_server() as (controller, handler):
        with smtplib.SMTP(controller.hostname, controller.port, timeout=5) as smtp:
            mailer.sendmail(smtp, "petition@example.org", ["ann@example.org"], data)
        [envelope] = handler.messages
        assert envelope.content == data
        return [option.upper() for option in envelope.mail_options]


def test_an_8bit_body_is_declared_as_8bitmime_and_a_7bit_one_is_not():
    greek = "Subject: =?utf-8?b?zpXPgM65zrLOtc6yzrHOr8+Jz4POtw==?=\r\nTo: ann@example.org\r\n"
    greek += "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nΕπιβεβαίωση.\r\n"

    assert "BODY=8BITMIME" in mail_options(greek.encode())
    assert not any(option.startswith("BODY=") for option in mail_options(DATA))


def refuse_at_rcpt(*addresses):
    def setup(handler):
        handler.rcpt_replies.update({address: "550 5.1.1 No such user" for address in addresses})

    return setup


def refuse_data(handler):
    handler.refuse_next = 1


def close_at_data(handler):
    handler.disconnect_on = {1}


@pytest.mark.parametrize(
    ("recipients", "setup", "raised"),
    [
        (["gone@example.org"], refuse_at_rcpt("gone@example.org"), "SMTPRecipientsRefused"),
        (["gone@example.org", "here@example.org"], refuse_at_rcpt("gone@example.org"), "returned"),
        (["ann@example.org"], refuse_data, "SMTPDataError"),
        (["ann@example.org"], close_at_data, "SMTPServerDisconnected"),
    ],
)
def test_a_refusal_raises_what_smtplib_raises_and_leaves_the_connection_as_it_does(recipients, setup, raised):
    ours, smtplibs = send_both_ways("petition@example.org", recipients, setup)

    assert ours == smtplibs
    assert ours[0] == raised
