"""`make run`'s embedded SQLite sends updates too: staff trying the platform see the whole flow."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_an_update_is_sent_to_the_consenting_signers_on_sqlite(tmp_path):
    environment = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "DATABASE_URL")}
    environment |= {"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'embedded.sqlite3'}"}
    completed = subprocess.run(
        [sys.executable, "-m", "tests.signatures.updates.sqlite_send"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    sent = json.loads(completed.stdout.strip().splitlines()[-1])
    assert sent["status"] == "done"
    assert sent["sent_count"] == 3
    assert sent["rows"] == ["sent"] * 3
    assert len(sent["to"]) == len(set(sent["to"])) == 3
    assert sent["subjects"] == ["News about Ban biometric mass surveillance"]
