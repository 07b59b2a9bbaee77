"""Settings come from the environment; production refuses to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


SETTINGS_VARIABLES = {
    "DEBUG", "SECRET_KEY", "IP_HASH_KEY", "EMAIL_LINK_KEY", "ALLOWED_HOSTS", "SITE_URL", "DATABASE_URL", "REDIS_URL", "EMAIL_HOST",
    "TRUSTED_PROXIES", "TRUSTED_PROXY_COUNT",
}  # fmt: skip
GOOD_SECRET = "k3Y-" + "a1b2c3d4e5" * 5
GOOD_IP_HASH_KEY = "h4sH-" + "f6g7h8i9j0" * 5
GOOD_EMAIL_LINK_KEY = "l1nK-" + "q1w2e3r4t5" * 5
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": GOOD_SECRET,
    "IP_HASH_KEY": GOOD_IP_HASH_KEY,
    "EMAIL_LINK_KEY": GOOD_EMAIL_LINK_KEY,
    "ALLOWED_HOSTS": "petition.example.org",
    "SITE_URL": "https://petition.example.org",
}


def run_check(env_overrides: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_with_every_setting_given_starts():
    result = run_check(PRODUCTION)
    assert result.returncode == 0, result.stderr


def test_debug_is_off_unless_asked_for():
    # Nothing set at all is production, which refuses to start half-configured rather than serve debug pages.
    result = run_check({})
    assert result.returncode != 0
    assert "DEBUG is off (production)" in result.stderr
    assert "set DEBUG=1" in result.stderr


@pytest.mark.parametrize(
    "overrides, problem",
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY is not set"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS is not set"),
        ({"SITE_URL": ""}, "SITE_URL is not set"),
        ({"IP_HASH_KEY": ""}, "IP_HASH_KEY is not set"),
        ({"EMAIL_LINK_KEY": ""}, "EMAIL_LINK_KEY is not set"),
        ({"EMAIL_LINK_KEY": "change-me"}, "EMAIL_LINK_KEY is a published placeholder"),
        ({"EMAIL_LINK_KEY": GOOD_SECRET}, "EMAIL_LINK_KEY must differ from SECRET_KEY and IP_HASH_KEY"),
        # The placeholder docker-compose.yml used to ship, and the key embedded for development.
        ({"SECRET_KEY": "change-me-to-a-long-random-string"}, "SECRET_KEY is a published placeholder"),
        ({"SECRET_KEY": "embedded-development-key-not-for-production"}, "SECRET_KEY is a published placeholder"),
        ({"SECRET_KEY": "django-insecure-" + "x1y2z3" * 8}, "SECRET_KEY is a published placeholder"),
        ({"SECRET_KEY": "short-but-random-7f3a9"}, "SECRET_KEY is too short"),
        ({"SECRET_KEY": "s" * 60}, "SECRET_KEY is too short"),
        ({"IP_HASH_KEY": GOOD_SECRET}, "IP_HASH_KEY must differ from SECRET_KEY"),
        ({"SITE_URL": "petition.example.org"}, "SITE_URL must be an absolute http(s) address"),
        ({"SITE_URL": "ftp://petition.example.org"}, "SITE_URL must be an absolute http(s) address"),
        ({"SITE_URL": "https://petition.example.org/petitions"}, "SITE_URL must be scheme, host and port only"),
        ({"SITE_URL": "https://user@petition.example.org"}, "SITE_URL must be scheme, host and port only"),
    ],
)
def test_production_refuses_to_start_on_missing_or_unsafe_settings(overrides, problem):
    result = run_check({**PRODUCTION, **overrides})
    assert result.returncode != 0
    assert problem in result.stderr
    for name in ("SECRET_KEY", "IP_HASH_KEY", "EMAIL_LINK_KEY"):
        value = {**PRODUCTION, **overrides}[name]
        if value:
            assert value not in result.stderr, f"{name} printed in the error"


def test_production_names_every_problem_at_once():
    result = run_check({"DEBUG": "0"})
    for problem in ("SECRET_KEY is not set", "IP_HASH_KEY is not set", "EMAIL_LINK_KEY is not set", "ALLOWED_HOSTS is not set", "SITE_URL is not set"):
        assert problem in result.stderr


def test_trusted_proxy_count_is_refused_with_a_pointer_to_trusted_proxies():
    for env in ({**PRODUCTION, "TRUSTED_PROXY_COUNT": "1"}, {"DEBUG": "1", "TRUSTED_PROXY_COUNT": "1"}):
        result = run_check(env)
        assert result.returncode != 0
        assert "TRUSTED_PROXIES" in result.stderr


def test_trusted_proxies_must_be_addresses_or_networks():
    assert run_check({**PRODUCTION, "TRUSTED_PROXIES": "10.0.0.0/8, fd00::/8 ,192.0.2.1"}).returncode == 0
    result = run_check({**PRODUCTION, "TRUSTED_PROXIES": "10.0.0.0/8,proxy.internal"})
    assert result.returncode != 0
    assert "TRUSTED_PROXIES: 'proxy.internal' is not an IP address or network" in result.stderr


def test_embedded_development_passes_checks_including_rate_limit_cache():
    result = run_check({"DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    assert "django_ratelimit" not in result.stderr


def test_with_redis_the_checks_pass_too():
    result = run_check({"DEBUG": "1", "REDIS_URL": "redis://127.0.0.1:6379/15"})
    assert result.returncode == 0, result.stderr


def test_database_url_is_parsed():
    from petition.settings import database_from_url

    config = database_from_url("postgres://u%40x:p%2Fw@db.example:6543/petition?sslmode=require")
    assert config["ENGINE"] == "petition.postgres"
    assert (config["USER"], config["PASSWORD"], config["HOST"], config["PORT"], config["NAME"]) == (
        "u@x", "p/w", "db.example", "6543", "petition"
    )
    assert config["OPTIONS"]["sslmode"] == "require" and config["OPTIONS"]["connect_timeout"] == 5


def test_migration_and_catalogue_commands_need_no_production_secrets():
    # They only read and write source files; every command that serves, sends or checks still refuses.
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    made = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert made.returncode == 0, made.stderr[-2000:]
    assert "No changes detected" in made.stdout
    assert run_check({}).returncode != 0
