"""Run in a subprocess on a fresh embedded SQLite database (make run): drain owed emails, print what happened as JSON.

    DEBUG=1 DATABASE_URL=sqlite:////tmp/x.sqlite3 python -m tests.signatures.sqlite_drain
"""

import json
from datetime import timedelta

from tests.embedded import prepare_embedded_database


def main() -> None:
    prepare_embedded_database()
    from django.core import mail
    from django.utils import timezone

    from signatures import outbox
    from signatures.links import unsubscribe_url
    from signatures.models import Signature, Suppression
    from tests.factories import make_campaign, make_consent, make_organisation, make_signature

    campaign = make_campaign()
    # More than one chunk, so the lease is renewed between them.
    owed = [
        make_signature(campaign, email_due=Signature.Email.CONFIRM, email_requested_at=timezone.now())
        for _ in range(outbox.CHUNK + 2)
    ]
    organisation = make_organisation(name="Partner")
    make_consent(owed[0], organisation)
    suppressed = make_signature(campaign, email_due=Signature.Email.CONFIRM, email_requested_at=timezone.now())
    Suppression.objects.create(email_canonical=suppressed.email_canonical, reason=Suppression.Reason.REJECTED)
    sent = outbox.drain()
    bodies = {message.to[0]: message.body for message in mail.outbox}
    rows = Signature.objects.filter(pk__in=[s.pk for s in owed])

    # A lease renewed by hand: the row held is kept, the one another worker took over is left alone.
    since = timezone.now().replace(microsecond=0) - timedelta(seconds=20)
    held, taken = (make_signature(campaign, email_claimed_at=since) for _ in range(2))
    Signature.objects.filter(pk=taken.pk).update(email_claimed_at=since + timedelta(seconds=1))
    renewed_at, kept = outbox.renew([held.pk, taken.pk], since)
    print(
        json.dumps(
            {
                "sent": sent,
                "outbox": len(mail.outbox),
                "marked_sent": rows.filter(email_due="", emails_sent=1, confirmation_sent_at__isnull=False).count(),
                "still_claimed": rows.filter(email_claimed_at__isnull=False).count(),
                "suppressed_sent": suppressed.email in bodies,
                "suppressed_marked_undeliverable": Signature.objects.filter(
                    pk=suppressed.pk, email_due="", undeliverable_at__isnull=False
                ).exists(),
                "unsubscribe_links": [
                    unsubscribe_url(signature, organisation.pk) in bodies[signature.email] for signature in owed[:2]
                ],
                "kept": kept == [held.pk],
                "renewed_found_by_the_orm": Signature.objects.filter(email_claimed_at=renewed_at).count(),
            }
        )
    )


if __name__ == "__main__":
    main()
