"""Settings come from the environment; production refuses to start half-configured."""

import os
import re
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


def test_every_docker_compose_service_refers_to_modules_and_settings_that_exist():
    compose = (ROOT / "docker-compose.yml").read_text()
    commands = re.findall(r"^\s+command: (.+)$", compose, re.MULTILINE)
    app_commands = [c for c in commands if "manage.py" in c or "celery" in c or "gunicorn" in c]
    assert len(app_commands) == 3, app_commands
    joined = " ".join(app_commands)
    wsgi_module, _, attribute = re.search(r"gunicorn ([\w.]+:\w+)", joined).group(1).partition(":")
    module = __import__(wsgi_module, fromlist=[attribute])
    assert callable(getattr(module, attribute))
    for app_name in re.findall(r"celery -A (\w+)", joined):
        assert hasattr(__import__(app_name), "celery_app")
    from django.core.management import get_commands

    for command in re.findall(r"manage\.py (\w+)", joined):
        assert command in get_commands(), command
    env_names = set(re.findall(r"^\s{4}([A-Z_]+):", compose, re.MULTILINE))
    settings_source = (ROOT / "petition" / "settings.py").read_text()
    for name in env_names - {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"}:
        assert f'"{name}"' in settings_source, f"{name} is set in docker-compose.yml but never read"
    readme = (ROOT / "README.md").read_text()
    for name in ("DATABASE_URL", "REDIS_URL", "EMAIL_HOST", "SITE_URL", "SECRET_KEY", "ALLOWED_HOSTS"):
        assert name in readme and name in env_names
