"""Every email's Message-ID is named after the sender's domain, not after the machine that sent it.

In a container the machine's name is a random hostname: it told every
recipient a name from inside our network and matched nothing the sender's
domain publishes.
"""

from email import message_from_bytes

import pytest
from django.core.mail import get_connection

from petition import mailer, mime
from petition.emails import compose_email
from petition.mime import Alternative, message_id_domain
from tests.faults.servers import recording_smtp_server


def message_id_of(data: bytes) -> str:
    return message_from_bytes(data)["Message-ID"]


@pytest.mark.parametrize(
    "sender, domain",
    [
        ("petition@stop-surveillance.example", "stop-surveillance.example"),
        ("Stop Surveillance <petition@Mail.Coalition.example>", "mail.coalition.example"),
        ("Coalition Liberté <petition@coalition.example>", "coalition.example"),
        ("petition@xn--bndnis-kva.example", "xn--bndnis-kva.example"),
    ],
)
@pytest.mark.unit
def test_the_domain_is_the_senders(sender, domain):
    assert message_id_domain(sender) == domain


@pytest.fixture
def machine_named(monkeypatch):
    """The machine's name as Django would give it; message_id_domain's answers are forgotten before and after."""

    def name_it(name: str) -> None:
        monkeypatch.setattr(mime, "DNS_NAME", name)
        message_id_domain.cache_clear()

    yield name_it
    message_id_domain.cache_clear()


@pytest.mark.parametrize("sender", ["petition@bündnis.example", "no address at all", "petition@[192.0.2.1]", "petition@-bad-.example"])
@pytest.mark.unit
def test_a_sender_without_a_plain_domain_keeps_djangos_choice(machine_named, sender):
    machine_named("web-1.coalition.example")

    assert message_id_domain(sender) == "web-1.coalition.example"


@pytest.mark.unit
def test_a_machine_name_that_is_no_domain_name_gives_localhost(machine_named):
    machine_named("web_1 (container)")

    assert message_id_domain("petition@bündnis.example") == "localhost"


def test_a_confirmation_email_reaches_the_smtp_server_with_the_senders_domain(settings):
    settings.DEFAULT_FROM_EMAIL = "Stop Surveillance <petition@stop-surveillance.example>"
    simple = compose_email("Please confirm", "Text", "<p>Text</p>", ["ann@example.org"])
    with_cc = compose_email("Please confirm", "Text", "<p>Text</p>", ["bob@example.org"])
    with_cc.cc = ["carol@example.org"]  # not simple: goes as Django's message(), not as wire_bytes
    assert simple.wire_bytes() is not None and with_cc.wire_bytes() is None

    with recording_smtp_server() as (controller, handler):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        outcomes = mailer.send_batch([simple, with_cc], connection=get_connection(timeout=5))

    assert outcomes == [mailer.Outcome.SENT, mailer.Outcome.SENT]
    ids = [message_id_of(envelope.original_content) for envelope in handler.messages]
    assert len(ids) == 2 and ids[0] != ids[1]
    for message_id in ids:
        assert message_id.startswith("<") and message_id.endswith("@stop-surveillance.example>")
    for envelope in handler.messages:  # on the Message-ID line itself, not folded onto the next
        assert b"\r\nMessage-ID: <" in envelope.original_content


def test_a_message_id_the_caller_gives_is_kept():
    message = compose_email("Subject", "Text", "<p>Text</p>", ["ann@example.org"], headers={"Message-ID": "<given@example.org>"})

    assert message.message()["Message-ID"] == "<given@example.org>"


@pytest.mark.unit
def test_an_update_is_named_after_its_sender_too():
    wire = Alternative("Coalition <news@coalition.example>", {"Content-Language": "en"})

    rendered = wire.render("ann@example.org", "News", "Text", "<p>Text</p>", {})

    assert message_id_of(rendered.data).endswith("@coalition.example>")
    assert b"\r\nMessage-ID: <" in rendered.data
