"""`make run`'s embedded SQLite drains the outbox: the hand-written statements of the drain run there too."""

from signatures.outbox import CHUNK
from tests.embedded import run_on_embedded_sqlite


def test_owed_emails_are_sent_and_marked_and_the_lease_renewed_on_sqlite(tmp_path):
    outcome = run_on_embedded_sqlite("tests.signatures.sqlite_drain", tmp_path)
    assert outcome == {
        "sent": CHUNK + 2,
        "outbox": CHUNK + 2,
        "marked_sent": CHUNK + 2,
        "still_claimed": 0,
        "suppressed_sent": False,
        "suppressed_marked_undeliverable": True,
        # Only the signer who consented to the organisation gets its unsubscribe link.
        "unsubscribe_links": [True, False],
        "kept": True,
        "renewed_found_by_the_orm": 1,
    }
