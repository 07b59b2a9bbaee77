"""Run manage.py in a subprocess with production settings (DEBUG off), which load once per process."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def production_env(**extra: str) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "ADMIN_PATH")}
    production = {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "petition.example.org",
        "SITE_URL": "https://petition.example.org",
    }
    return {**env, **production, **extra}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=production_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )
