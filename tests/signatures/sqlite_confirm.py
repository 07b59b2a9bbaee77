"""Run in a subprocess on a fresh embedded SQLite database (make run): sign twice, confirm, print what happened as JSON.

    DEBUG=1 DATABASE_URL=sqlite:////tmp/x.sqlite3 python -m tests.signatures.sqlite_confirm
"""

import json

from tests.embedded import prepare_embedded_database


def main() -> None:
    prepare_embedded_database()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from signatures import services
    from signatures.models import Consent, Signature, WebhookEvent
    from tests.factories import confirm_token, make_campaign, make_organisation

    campaign = make_campaign()
    campaign.signature_count = 41
    campaign.save()
    organisation = make_organisation(webhook_url="https://crm.example.org/hook")
    details = services.SignerDetails(
        first_name="Zoë",
        last_name="O'Brien",
        email="zoe@example.org",
        country="DE",
        postcode="10115",
        contact_consent=True,
        consents=[(organisation, "Zoë agrees to hear from us.")],
    )
    signature = services.sign(campaign, details)
    again = services.sign(campaign, details)
    url = reverse("signatures:confirm", kwargs={"pk": signature.pk, "token": confirm_token(signature)})
    client = Client()
    opened = client.get(url)
    pressed = client.post(url, HTTP_SEC_FETCH_SITE="same-origin")
    signature.refresh_from_db()
    with connection.cursor() as cursor:
        cursor.execute("SELECT confirmed_at, created_at FROM signatures_signature WHERE id = %s", [signature.pk])
        stored_confirmed_at, stored_created_at = cursor.fetchone()
    print(
        json.dumps(
            {
                "signed_once": again.pk == signature.pk and Signature.objects.count() == 1,
                "consents": Consent.objects.filter(signature=signature).count(),
                "opened": opened.status_code,
                "pressed": pressed.status_code,
                "confirmed_text": "your signature is confirmed" in pressed.text,
                "shows_42": "data-count>42</strong>" in pressed.text,
                "status": signature.status,
                "confirmed_at_is_aware": signature.confirmed_at is not None and signature.confirmed_at.tzinfo is not None,
                "confirmed_since_signing": bool(signature.confirmed_at and signature.confirmed_at >= signature.created_at),
                "found_by_confirmed_at": Signature.objects.filter(confirmed_at__gte=signature.created_at).count(),
                "webhook_events": WebhookEvent.objects.count(),
                # Stored as the ORM stores datetimes on SQLite, so comparisons between them hold.
                "stored_like_the_orm": len(str(stored_confirmed_at)) == len(str(stored_created_at)),
            }
        )
    )


if __name__ == "__main__":
    main()
