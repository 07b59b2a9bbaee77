"""petition.prepared runs a statement as written once, then prepared, per connection, with the same results throughout."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from petition.prepared import PreparedStatement, numbered_placeholders, written_out
from signatures.models import Signature
from tests.factories import confirm_token, make_campaign, sign_data

pytestmark = pytest.mark.django_db(transaction=True)

ECHO = PreparedStatement(
    "test_echo", "SELECT %s::text || '%%', %s::int + 1, %s::text IS NULL, (SELECT count(*) FROM signatures_signature)"
)
# Odd values the driver must still quote right into EXECUTE's arguments.
VALUES = ["plain", "O'Brien; DROP TABLE x; --", "\u202eevil\u202c", "emoji 🦊", "line\nbreak", "$1 %s %%", ""]


def run(statement, params):
    with connection.cursor() as cursor:
        statement.execute(cursor, params)
        return cursor.fetchone()


def prepared_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


def test_placeholders_are_numbered_and_escaped_percent_signs_unescaped():
    assert numbered_placeholders("a = %s AND b LIKE 'x%%' AND c = %s") == "a = $1 AND b LIKE 'x%' AND c = $2"


def test_a_second_statement_under_a_used_name_is_refused():
    with pytest.raises(ValueError):
        PreparedStatement("test_echo", "SELECT 1")


def test_runs_as_written_first_then_prepared_on_second_use_with_equal_results():
    connection.close()
    sent = []
    for value in VALUES:
        with CaptureQueriesContext(connection) as queries:
            assert run(ECHO, [value, 41, value]) == (value + "%", 42, False, 0)
        sent.extend(query["sql"] for query in queries.captured_queries)
        if len(sent) == 2:
            assert "test_echo" in prepared_names()

    assert sent[0].startswith("SELECT 'plain'")
    assert all(sql.startswith("EXECUTE test_echo(") for sql in sent[1:]), sent
    # The PREPARE is not one of the code's statements: it never shows among them.
    assert len(sent) == len(VALUES)
    assert written_out(sent[-1]) == ECHO.sql and written_out("SELECT 1") == "SELECT 1"
    assert run(ECHO, [None, -1, None]) == (None, 0, True, 0)


def test_a_new_connection_starts_again_without_executing_what_it_has_not_prepared():
    for _ in range(3):
        run(ECHO, ["before", 1, "x"])
    assert "test_echo" in prepared_names()

    connection.close()  # as CONN_MAX_AGE or a failed health check would

    assert "test_echo" not in prepared_names()
    with CaptureQueriesContext(connection) as queries:
        assert run(ECHO, ["after", 1, "x"]) == ("after%", 2, False, 0)
    assert not queries.captured_queries[0]["sql"].startswith("EXECUTE")
    assert run(ECHO, ["again", 2, "x"]) == ("again%", 3, False, 0)
    assert "test_echo" in prepared_names()


def test_a_statement_prepared_in_a_rolled_back_transaction_stays_usable():
    connection.close()
    run(ECHO, ["first", 1, "x"])
    with pytest.raises(IntegrityError), transaction.atomic():
        run(ECHO, ["prepared here", 1, "x"])
        raise IntegrityError("rolled back")

    assert run(ECHO, ["after the rollback", 1, "x"]) == ("after the rollback%", 2, False, 0)


def test_signing_and_confirming_run_prepared_after_the_first_signature(client):
    connection.close()
    campaign = make_campaign()
    for _ in range(3):
        client.post(reverse("signatures:sign", kwargs={"slug": campaign.slug}), sign_data())
    signatures = list(Signature.objects.filter(campaign=campaign).order_by("pk"))
    assert len(signatures) == 3
    for signature in signatures:
        url = reverse("signatures:confirm", kwargs={"pk": signature.pk, "token": confirm_token(signature)})
        assert client.get(url).status_code == 200
        assert "your signature is confirmed" in client.post(url, HTTP_SEC_FETCH_SITE="same-origin").text

    assert {"insert_signature", "signature_to_confirm", "confirm_signature_unless_events_owed"} <= prepared_names()
    assert Signature.objects.filter(campaign=campaign, status=Signature.Status.CONFIRMED).count() == 3
