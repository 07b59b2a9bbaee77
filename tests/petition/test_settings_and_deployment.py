"""Settings come from the environment; production refuses to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_check(env_overrides: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "EMAIL_HOST"}}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    "env, missing",
    [
        ({"DEBUG": "0"}, "SECRET_KEY, ALLOWED_HOSTS"),
        ({"DEBUG": "0", "SECRET_KEY": "s" * 50}, "ALLOWED_HOSTS"),
        ({"DEBUG": "0", "ALLOWED_HOSTS": "petition.example.org"}, "SECRET_KEY"),
    ],
)
def test_production_refuses_to_start_without_secret_key_and_allowed_hosts(env, missing):
    result = run_check(env)
    assert result.returncode != 0
    assert f"not set: {missing}" in result.stderr


def test_embedded_default_passes_checks_including_rate_limit_cache():
    result = run_check({})
    assert result.returncode == 0, result.stderr
    assert "django_ratelimit" not in result.stderr


def test_with_redis_the_checks_pass_too():
    result = run_check({"REDIS_URL": "redis://127.0.0.1:6379/15"})
    assert result.returncode == 0, result.stderr


def test_database_url_is_parsed():
    from petition.settings import database_from_url

    config = database_from_url("postgres://u%40x:p%2Fw@db.example:6543/petition?sslmode=require")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["USER"], config["PASSWORD"], config["HOST"], config["PORT"], config["NAME"]) == (
        "u@x", "p/w", "db.example", "6543", "petition"
    )
    assert config["OPTIONS"]["sslmode"] == "require" and config["OPTIONS"]["connect_timeout"] == 5
