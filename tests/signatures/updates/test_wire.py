"""The bytes a worker sends over SMTP say what Django's own message would, for any name, script or paragraph."""

import email
import email.policy
from email.utils import parseaddr

import pytest

from campaigns.models import Update
from signatures.updates import sending
from signatures.updates.compose import Composer
from signatures.updates.starting import begin_sending
from tests.factories import make_signature

from .conftest import recipients
from .helpers import campaign_with_lead, consenting_signers, make_update, ready_to_send

LONG_GREEK = "Η βιομετρική μαζική παρακολούθηση πρέπει να απαγορευτεί. " * 40  # one line of over 3,000 bytes
BODY = (
    "Hello {first_name},\r\n\r\n"
    "We handed in **{petition}**; a = b, 100% =3D sure.   \r\n"
    ".A line starting with a dot\r\n"
    "From the start of a line\r\n\r\n" + LONG_GREEK + "\r\n\r\nThank you, {name}."
)
HEADERS = ["Subject", "From", "To", "List-Unsubscribe", "List-Unsubscribe-Post", "Content-Language", "Auto-Submitted", "X-Auto-Response-Suppress"]


def parsed(data: bytes):
    return email.message_from_bytes(data, policy=email.policy.default)


def content(message, subtype: str) -> str:
    return message.get_body(preferencelist=(subtype,)).get_content().replace("\r\n", "\n")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("first_name", "last_name", "address"),
    [
        ("Ada", "Lovelace", "ada@example.org"),
        ("Zoë <b>&amp;", "Łukasiewicz-Müller", "zoe@example.org"),
        ("Ἀριστοτέλης", "Σταγειρίτης " * 8, "aristoteles@bücher.example"),
    ],
)
def test_the_wire_bytes_carry_what_djangos_message_would(first_name, last_name, address):
    campaign, organisation = campaign_with_lead()
    signer = make_signature(
        campaign, status="confirmed", first_name=first_name, last_name=last_name.strip(), email=address
    )
    update = make_update(campaign, organisation, texts={"en": ("{first_name}, news about {petition}", BODY)})
    composer = Composer(update)

    sender, recipient, data = composer.wire(signer)
    ours = parsed(data)
    django = parsed(composer.message(signer).message().as_bytes(linesep="\r\n"))

    assert recipient == str(django["To"])
    assert parseaddr(sender) == parseaddr(str(django["From"]))
    assert {name: str(ours[name]) for name in HEADERS} == {name: str(django[name]) for name in HEADERS}
    # Each on its own line, not folded onto the next (which parsers read with a leading space).
    for name in ("Subject", "List-Unsubscribe", "Message-ID"):
        assert not str(ours[name]).startswith(" "), name
        assert f"\r\n{name}: ".encode() in data, name
    assert ours["Date"] and ours["Message-ID"] and ours["Message-ID"] != django["Message-ID"]
    assert content(ours, "plain") == content(django, "plain")
    assert content(ours, "html") == content(django, "html")
    assert first_name.split()[0] in content(ours, "plain")
    # Plain ASCII in lines SMTP and every mailbox accept, each ending in CRLF; quoted-printable's in the parts.
    data.decode("ascii")
    assert b"\n" not in data.replace(b"\r\n", b"") and data.endswith(b"\r\n")
    head, body = data.split(b"\r\n\r\n", 1)
    assert max(len(line) for line in head.split(b"\r\n")) <= 998
    assert max(len(line) for line in body.split(b"\r\n")) <= 76


@pytest.mark.django_db
def test_a_message_carries_its_own_date_and_id_and_one_boundary_that_never_appears_in_it():
    campaign, organisation = campaign_with_lead()
    first, second = (make_signature(campaign, status="confirmed") for _ in range(2))
    composer = Composer(make_update(campaign, organisation, texts={"en": ("News", "==============a==")}))

    one, other = parsed(composer.wire(first).data), parsed(composer.wire(second).data)

    assert one["Message-ID"] != other["Message-ID"]
    boundary = one.get_boundary()
    assert boundary == other.get_boundary()
    assert [part.get_content_type() for part in one.iter_parts()] == ["text/plain", "text/html"]
    # Named in the header, opening each part and closing the last: nowhere else.
    assert composer.wire(first).data.count(boundary.encode()) == 4
    assert "==============a==" in content(one, "plain")


@pytest.mark.django_db
def test_an_address_that_would_inject_a_header_is_refused_as_djangos_backend_refuses_it():
    campaign, organisation = campaign_with_lead()
    signer = make_signature(campaign, status="confirmed", email="ada@example.org\r\nBcc: everyone@example.org")
    composer = Composer(make_update(campaign, organisation))

    with pytest.raises(ValueError):
        composer.wire(signer)


@pytest.mark.django_db
def test_a_worker_marks_such_a_signer_failed_and_sends_the_others(smtp):
    campaign, organisation = campaign_with_lead()
    signers = consenting_signers(campaign, organisation, 2)
    consenting_signers(campaign, organisation, 1, email="ada@example.org\r\nBcc: everyone@example.org")
    update = ready_to_send(make_update(campaign, organisation))
    begin_sending(update.pk)

    assert sending.run(update.pk) == 2

    assert recipients(smtp) == sorted(s.email for s in signers)
    update.refresh_from_db()
    assert (update.status, update.sent_count, update.failed_count) == (Update.Status.DONE, 2, 1)
