"""`make run`'s embedded SQLite sends updates too: staff trying the platform see the whole flow."""

from tests.embedded import run_on_embedded_sqlite


def test_an_update_is_sent_to_the_consenting_signers_on_sqlite(tmp_path):
    sent = run_on_embedded_sqlite("tests.signatures.updates.sqlite_send", tmp_path)
    assert sent["status"] == "done"
    assert sent["sent_count"] == 3
    assert sent["rows"] == ["sent"] * 3
    assert len(sent["to"]) == len(set(sent["to"])) == 3
    assert sent["subjects"] == ["News about Ban biometric mass surveillance"]
