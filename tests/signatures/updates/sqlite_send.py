"""Run in a subprocess on a fresh embedded SQLite database (make run): send an update, print what was sent as JSON.

    DEBUG=1 DATABASE_URL=sqlite:////tmp/x.sqlite3 python -m tests.signatures.updates.sqlite_send
"""

import io
import json
import os

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "petition.settings")
    django.setup()
    from django.core import mail
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    from signatures.models import UpdateRecipient
    from signatures.updates import control
    from tests.factories import make_signature
    from tests.signatures.updates.helpers import campaign_with_lead, consenting_signers, make_update

    assert connection.vendor == "sqlite", connection.vendor
    setup_test_environment()  # emails into mail.outbox
    call_command("migrate", verbosity=0, stdout=io.StringIO())
    campaign, organisation = campaign_with_lead()
    consenting_signers(campaign, organisation, 3)
    make_signature(campaign, status="confirmed")  # signed without consenting: gets nothing
    update = make_update(campaign, organisation)
    # Tasks run eagerly in embedded mode: sending starts and finishes inside this call.
    control.send(update, actor=None)
    update.refresh_from_db()
    print(
        json.dumps(
            {
                "status": update.status,
                "sent_count": update.sent_count,
                "rows": sorted(UpdateRecipient.objects.values_list("status", flat=True)),
                "to": sorted(message.to[0] for message in mail.outbox),
                "subjects": sorted({message.subject for message in mail.outbox}),
            }
        )
    )


if __name__ == "__main__":
    main()
