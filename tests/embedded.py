"""Running a module of the tests in a process of its own on a fresh embedded SQLite database, as `make run` has."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[1]


def run_on_embedded_sqlite(module: str, tmp_path: Path):
    """Run `python -m module` with DEBUG and a SQLite DATABASE_URL (no Redis); return the JSON its last line prints."""
    environment = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "DATABASE_URL")}
    environment |= {"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'embedded.sqlite3'}"}
    completed = subprocess.run(
        [sys.executable, "-m", module], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


def prepare_embedded_database() -> None:
    """In that process: set Django up on the embedded SQLite database, migrate it, and collect emails in mail.outbox."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "petition.settings")
    django.setup()
    # Django's own modules may be imported only once it is set up.
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    assert connection.vendor == "sqlite", connection.vendor
    setup_test_environment()
    call_command("migrate", verbosity=0, stdout=io.StringIO())
