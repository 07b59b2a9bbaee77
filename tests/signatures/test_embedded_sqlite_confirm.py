"""`make run`'s embedded SQLite signs and confirms: the hand-written statements of both steps run there too."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_signature_is_signed_once_and_confirmed_on_sqlite(tmp_path):
    environment = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "DATABASE_URL")}
    environment |= {"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'embedded.sqlite3'}"}
    completed = subprocess.run(
        [sys.executable, "-m", "tests.signatures.sqlite_confirm"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    outcome = json.loads(completed.stdout.strip().splitlines()[-1])
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
