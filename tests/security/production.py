"""Run manage.py in a subprocess with production settings (DEBUG off), which load once per process."""

import os
import secrets
import subprocess
import sys
from functools import cache
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def production_env(**extra: str) -> dict:
    # Browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; production never does.
    left_out = ("DEBUG", "ADMIN_PATH", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {key: value for key, value in os.environ.items() if key not in left_out}
    production = {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "IP_HASH_KEY": secrets.token_urlsafe(50),
        "EMAIL_LINK_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "petition.example.org",
        "SITE_URL": "https://petition.example.org",
    }
    return {**env, **production, **extra}


@cache
def collect_static_files() -> None:
    # Production serves hashed static names from the manifest collectstatic writes, as the
    # Dockerfile does at build time; a fresh clone has none until this runs.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=PROJECT,
        env=production_env(),
        check=True,
        timeout=300,
    )


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    collect_static_files()
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=production_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )
