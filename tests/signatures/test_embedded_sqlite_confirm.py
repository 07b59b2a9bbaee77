"""`make run`'s embedded SQLite signs and confirms: the hand-written statements of both steps run there too."""

from tests.embedded import run_on_embedded_sqlite


def test_a_signature_is_signed_once_and_confirmed_on_sqlite(tmp_path):
    outcome = run_on_embedded_sqlite("tests.signatures.sqlite_confirm", tmp_path)
    assert outcome == {
        "signed_once": True,
        "consents": 1,
        "opened": 200,
        "pressed": 200,
        "confirmed_text": True,
        "shows_42": True,
        "status": "confirmed",
        "confirmed_at_is_aware": True,
        "confirmed_since_signing": True,
        "found_by_confirmed_at": 1,
        "webhook_events": 1,
        "stored_like_the_orm": True,
    }
