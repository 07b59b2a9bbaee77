"""Who an update goes to: confirmed signers whose consent to its organisation stands.

Not withdrawn, not erased, not on the suppression list, not stopped from all
emails, optionally narrowed to countries and languages. The same condition
decides the counts staff see, the recipients written when sending starts, and
the check made again for each message just before it leaves.
"""

from django.db import connection
from django.db.models import Count, Exists, OuterRef

from campaigns.models import Update

from ..models import Consent, Signature, Suppression, UpdateRecipient


def consenting(update: Update):
    """The signatures this update may go to right now."""
    signatures = (
        Signature.objects.filter(
            campaign_id=update.campaign_id,
            status=Signature.Status.CONFIRMED,
            erased_at__isnull=True,
            emails_stopped_at__isnull=True,
        )
        .exclude(email_canonical="")
        .filter(
            Exists(
                Consent.objects.filter(
                    signature_id=OuterRef("pk"), organisation_id=update.organisation_id, withdrawn_at__isnull=True
                )
            )
        )
        .exclude(Exists(Suppression.objects.filter(email_canonical=OuterRef("email_canonical"))))
    )
    if update.countries:
        signatures = signatures.filter(country__in=update.countries)
    if update.languages:
        signatures = signatures.filter(language__in=update.languages)
    return signatures


def still_consenting(update: Update):
    """The same condition for one recipient row (signature_id from the row), as a filter on recipients."""
    return Exists(consenting(update).filter(pk=OuterRef("signature_id")))


def counts(update: Update) -> dict:
    """How many it would reach, in total, per language and per country."""
    rows = list(consenting(update).values("language", "country").annotate(n=Count("pk")).order_by())
    by_language: dict[str, int] = {}
    by_country: dict[str, int] = {}
    for row in rows:
        by_language[row["language"]] = by_language.get(row["language"], 0) + row["n"]
        by_country[row["country"]] = by_country.get(row["country"], 0) + row["n"]
    return {
        "total": sum(by_language.values()),
        "languages": sorted(by_language.items(), key=lambda item: (-item[1], item[0])),
        "countries": sorted(by_country.items(), key=lambda item: (-item[1], item[0])),
    }


def write_recipients(update: Update) -> int:
    """One pending row per signer it goes to, written by the database in one statement; returns how many.

    INSERT ... SELECT keeps a million ids out of Python, and ON CONFLICT makes
    a second call (a retried start) add nothing.
    """
    sql, params = consenting(update).values_list("id", flat=True).query.sql_with_params()
    table = connection.ops.quote_name(UpdateRecipient._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (update_id, signature_id, status, attempts) "  # noqa: S608 - names are ours
            # "WHERE true": without it SQLite (make run) reads ON CONFLICT as a join's ON.
            f"SELECT %s, audience.id, %s, 0 FROM ({sql}) AS audience WHERE true "
            "ON CONFLICT (update_id, signature_id) DO NOTHING",
            [update.pk, UpdateRecipient.Status.PENDING, *params],
        )
    return UpdateRecipient.objects.filter(update_id=update.pk).count()
