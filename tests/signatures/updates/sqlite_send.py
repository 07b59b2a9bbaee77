"""Run in a subprocess on a fresh embedded SQLite database (make run): send an update, print what was sent as JSON.

    DEBUG=1 DATABASE_URL=sqlite:////tmp/x.sqlite3 python -m tests.signatures.updates.sqlite_send
"""

import json

from tests.embedded import prepare_embedded_database


def main() -> None:
    prepare_embedded_database()
    from django.core import mail

    from signatures.models import UpdateRecipient
    from signatures.updates import control
    from tests.factories import make_signature
    from tests.signatures.updates.helpers import campaign_with_lead, consenting_signers, make_update

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
