"""Production without a mail server sends nothing and prints nothing: every email stays owed until one is set."""

import logging

import pytest
from django.utils import timezone

from signatures.models import Signature
from signatures.outbox import drain
from tests.factories import make_campaign, make_signature
from tests.security.production import manage

SHOW_BACKEND = "from django.conf import settings; print(settings.EMAIL_BACKEND)"


def email_backend(**env: str) -> str:
    result = manage("shell", "-c", SHOW_BACKEND, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.slow
def test_production_without_email_host_never_falls_back_to_printing_emails():
    assert email_backend(EMAIL_HOST="", EMAIL_PROVIDER="") == "petition.mailer.NoMailServerBackend"
    assert email_backend(EMAIL_HOST="smtp.example.org") == "django.core.mail.backends.smtp.EmailBackend"
    assert email_backend(DEBUG="1", EMAIL_HOST="") == "django.core.mail.backends.console.EmailBackend"


@pytest.mark.django_db
def test_a_drain_without_a_mail_server_keeps_every_email_owed_and_writes_no_personal_data(
    settings, capsys, caplog
):
    settings.EMAIL_BACKEND = "petition.mailer.NoMailServerBackend"
    signature = make_signature(
        make_campaign(),
        first_name="Philomena",
        email="philomena@example.org",
        email_due=Signature.Email.CONFIRM,
        email_requested_at=timezone.now(),
    )

    with caplog.at_level(logging.INFO):
        assert drain() == 0

    signature.refresh_from_db()
    assert signature.email_due == Signature.Email.CONFIRM
    assert signature.emails_sent == 0
    printed = capsys.readouterr()
    written = printed.out + printed.err + caplog.text
    assert "NoMailServer" in caplog.text
    assert "Philomena" not in written and "philomena@example.org" not in written
